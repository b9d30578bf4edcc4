//! [`UsageLedger`] for [`LocalStore`]: one record per request in the redb index, keyed by
//! `(tenant, finished at, request id)` so a report reads only its tenant's time range.
//! Records are kept until the operator removes them (they are the bill, not session data).

use async_trait::async_trait;
use redb::{ReadableDatabase, TableDefinition, WriteTransaction};

use super::LocalStore;
use crate::usage::add;
use crate::{StoreError, UsageLedger, UsageRecord, UsageReport};

const USAGE: TableDefinition<(&str, u64, &str), &[u8]> = TableDefinition::new("usage");

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(USAGE)?;
    Ok(())
}

#[async_trait]
impl UsageLedger for LocalStore {
    async fn record_usage(&self, mut record: UsageRecord) -> Result<(), StoreError> {
        record.at = self.clock.now();
        let bytes = serde_json::to_vec(&record)?;
        self.committer
            .write(Box::new(move |txn| {
                txn.open_table(USAGE)?.insert(
                    (
                        record.tenant.as_str(),
                        record.at,
                        record.request_id.as_str(),
                    ),
                    bytes.as_slice(),
                )?;
                Ok(())
            }))
            .await
    }

    async fn usage_report(
        &self,
        tenant: &str,
        since: u64,
        until: u64,
    ) -> Result<UsageReport, StoreError> {
        let tenant = tenant.to_owned();
        self.blocking(move |db, _| {
            let mut report = UsageReport::default();
            if since >= until {
                return Ok(report);
            }
            let table = db.begin_read()?.open_table(USAGE)?;
            for entry in table.range((tenant.as_str(), since, "")..(tenant.as_str(), until, ""))? {
                let record: UsageRecord = serde_json::from_slice(entry?.1.value())?;
                add(&mut report, &record);
            }
            Ok(report)
        })
        .await
    }
}

#[cfg(all(feature = "s3", feature = "postgres"))]
pub(super) fn export(txn: &redb::ReadTransaction) -> Result<Vec<UsageRecord>, StoreError> {
    use redb::ReadableTable as _;
    let mut records = Vec::new();
    for entry in txn.open_table(USAGE)?.iter()? {
        records.push(serde_json::from_slice(entry?.1.value())?);
    }
    Ok(records)
}
