-- A projection of the ledger: each lot's on-hand and reserved units, created with
-- the lot and updated in the same transaction as every movement. Reading it costs the same however
-- long the lot's history is, and its CHECKs make an oversold or negative lot
-- impossible to commit. The ledger stays the truth: tests compare the two.
CREATE TABLE lot_balances (
    lot_id    INTEGER PRIMARY KEY REFERENCES lots(id),
    on_hand   INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved  INTEGER NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand)
);
INSERT INTO lot_balances (lot_id, on_hand, reserved)
SELECT l.id, COALESCE(SUM(m.on_hand_delta), 0), COALESCE(SUM(m.reserved_delta), 0)
FROM lots l LEFT JOIN stock_movements m ON m.lot_id = l.id GROUP BY l.id;
