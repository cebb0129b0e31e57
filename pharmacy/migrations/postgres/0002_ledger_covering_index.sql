-- Balances are sums over a lot's movements; with the deltas in the index the
-- sum is answered from the index alone instead of visiting every ledger row.
DROP INDEX stock_movements_lot;
CREATE INDEX stock_movements_lot_balance ON stock_movements(lot_id, on_hand_delta, reserved_delta);
