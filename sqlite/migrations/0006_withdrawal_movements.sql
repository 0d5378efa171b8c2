-- A withdrawal's movements get a table of their own: recording one appends
-- a row rather than rewriting its plan, and the list of plans reads a
-- summary column rather than whole plans.
CREATE TABLE withdrawal_movements (
	withdrawal_id TEXT NOT NULL,
	number        INTEGER NOT NULL,
	data          TEXT NOT NULL,
	PRIMARY KEY (withdrawal_id, number)
) WITHOUT ROWID;
INSERT INTO withdrawal_movements (withdrawal_id, number, data)
	SELECT w.id, json_extract(m.value, '$.number'), m.value FROM withdrawals w, json_each(w.data, '$.movements') m;
ALTER TABLE withdrawals ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
UPDATE withdrawals SET
	summary = json_object(
		'id', id,
		'name', json_extract(data, '$.plan.name'),
		'start', json_extract(data, '$.plan.start'),
		'days', json_extract(data, '$.plan.days'),
		'legs', json_array_length(data, '$.plan.legs'),
		'nations', (SELECT count(DISTINCT json_extract(c.value, '$.nation')) FROM json_each(data, '$.plan.contingents') c),
		'adopted_by', json_extract(data, '$.adopted_by'),
		'adopted_at', json_extract(data, '$.adopted_at')),
	data = json_set(data, '$.movements', json('null'));
