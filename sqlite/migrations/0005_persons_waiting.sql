-- The screening desk lists who waits for a decision (at a gate, or referred)
-- from the read side, not from the writer's state: only persons at those
-- two stages are in this index.
CREATE INDEX persons_waiting ON persons (stage_since) WHERE stage IN ('at_gate', 'screened');
