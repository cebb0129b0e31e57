-- Purchasing (issue #6): reorder suggestions computed from the demand
-- forecasts, and the purchase orders they are accepted into. Receiving a
-- purchase-order line creates its lot through the ordinary receiving path.
-- Keep in step with ../postgres/0005_purchasing.sql.

-- One row per product per recompute; `forecast` is the chart's JSON.
CREATE TABLE reorder_suggestions (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products(id),
    computed_at    TEXT NOT NULL,
    model          TEXT NOT NULL CHECK (length(model) > 0),
    on_hand        INTEGER NOT NULL CHECK (on_hand >= 0),
    on_order       INTEGER NOT NULL CHECK (on_order >= 0),
    reorder_point  INTEGER NOT NULL CHECK (reorder_point >= 0),
    order_up_to    INTEGER NOT NULL CHECK (order_up_to >= reorder_point),
    suggested_qty  INTEGER NOT NULL CHECK (suggested_qty >= 0),
    reason         TEXT NOT NULL CHECK (length(reason) > 0),
    forecast       TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'dismissed'))
);
-- A recompute replaces a product's open suggestion: never two at once.
CREATE UNIQUE INDEX reorder_suggestions_open ON reorder_suggestions(product_id) WHERE status = 'open';
CREATE INDEX reorder_suggestions_product ON reorder_suggestions(product_id, id);

CREATE TABLE purchase_orders (
    id           INTEGER PRIMARY KEY,
    supplier_id  INTEGER REFERENCES suppliers(id),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'ordered', 'received', 'cancelled')),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX purchase_orders_status ON purchase_orders(status, id);

CREATE TABLE purchase_order_lines (
    id                 INTEGER PRIMARY KEY,
    purchase_order_id  INTEGER NOT NULL REFERENCES purchase_orders(id),
    product_id         INTEGER NOT NULL REFERENCES products(id),
    -- The suggestion it was accepted from; one suggestion feeds one line.
    suggestion_id      INTEGER UNIQUE REFERENCES reorder_suggestions(id),
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    received           INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= quantity),
    UNIQUE (purchase_order_id, product_id)
);
CREATE INDEX purchase_order_lines_product ON purchase_order_lines(product_id);
