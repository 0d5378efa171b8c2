-- Withdrawal plans adopted, each with the movements recorded against it, as
-- one row: a plan is read and written whole, and movements are few (people
-- report them by hand).
CREATE TABLE withdrawals (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);
