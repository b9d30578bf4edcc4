//! [`UsageLedger`] in PostgreSQL: one row per request, keyed like the embedded ledger.

use async_trait::async_trait;

use super::{ScaledStore, to_i64};
use crate::usage::add;
use crate::{StoreError, UsageLedger, UsageRecord, UsageReport};

#[async_trait]
impl UsageLedger for ScaledStore {
    async fn record_usage(&self, mut record: UsageRecord) -> Result<(), StoreError> {
        record.at = self.clock.now();
        sqlx::query(
            "INSERT INTO usage (tenant, at, request_id, record) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(&record.tenant)
        .bind(to_i64(record.at))
        .bind(&record.request_id)
        .bind(serde_json::to_string(&record)?)
        .execute(self.db().await?)
        .await?;
        Ok(())
    }

    async fn usage_report(
        &self,
        tenant: &str,
        since: u64,
        until: u64,
    ) -> Result<UsageReport, StoreError> {
        let mut report = UsageReport::default();
        if since >= until {
            return Ok(report);
        }
        let rows = sqlx::query_as::<_, (String,)>(
            "SELECT record FROM usage WHERE tenant = $1 AND at >= $2 AND at < $3",
        )
        .bind(tenant)
        .bind(to_i64(since))
        .bind(to_i64(until))
        .fetch_all(self.db().await?)
        .await?;
        for (record,) in rows {
            add(&mut report, &serde_json::from_str(&record)?);
        }
        Ok(report)
    }
}
