-- Owed webhooks are leased like claimed executions, so two replicas never deliver the same
-- one: the process that sends it (a random id per process) and until when (unix
-- milliseconds) unless it renews.
ALTER TABLE executions ADD COLUMN webhook_owner TEXT;
ALTER TABLE executions ADD COLUMN webhook_lease_until BIGINT;
