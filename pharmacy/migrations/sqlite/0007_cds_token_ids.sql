-- The jti of every CDS Hooks client JWT until it expires: a second use is a
-- replay, whichever process it reaches.
CREATE TABLE cds_token_ids (
    issuer TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX cds_token_ids_expiry ON cds_token_ids (expires_at);
