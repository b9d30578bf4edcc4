-- Quotas sum a tenant's pending and live artifacts at every write.
CREATE INDEX artifacts_tenant ON artifacts (tenant) WHERE state IN ('pending', 'live');
