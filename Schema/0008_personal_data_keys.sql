-- Personal data: sealed in the log, erasable by deleting a key.
--
-- Every personal field of an event (a client's name, email and phone, and every free text) is
-- stored sealed with its client's data key (AES-256-GCM), in the form
-- 'ts:pd1:<key id>:<base64 of nonce, ciphertext and tag>'. The data keys live here, wrapped by
-- the master key that only the processes hold (TOUCHSTONE_MASTER_KEY); master_key is that key's
-- fingerprint. Erasing a client deletes its rows: what they sealed, in the log, the read models
-- and any copy made of them since, can no longer be read by anyone. This table is not part of
-- the append-only log: its rows are deleted on erasure and rewrapped on a master-key rotation.
CREATE TABLE personal_data_keys (
    key_id      uuid        PRIMARY KEY,
    client_id   uuid        NOT NULL UNIQUE,
    wrapped_key text        NOT NULL,
    master_key  text        NOT NULL CHECK (master_key ~ '^[0-9a-f]{16}$'),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX personal_data_keys_master_key ON personal_data_keys (master_key);
