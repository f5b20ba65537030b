//! One rule, two implementations: the business day of a moment at a location is till-core's
//! `business_day` (SQLite's sessions and every screen) and, inside PostgreSQL's functions,
//! `till_business_day` (migrations/postgres/functions/till_business_day.sql), since terminals
//! no longer send a time and the database numbers sessions by its own clock. This sweeps both
//! over the year's clock changes in zones that shift by an hour, by half an hour, or not at
//! all, around every cut-off a location may set, and requires the same day for every moment.

use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use sqlx::Connection as _;
use till_core::{business_day, Cutoff, TimeZone};
use till_testkit::{Backend, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_the_core_agree_on_every_business_day() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    drop(db.open().await); // migrated, with the function files applied
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let zones = ["America/New_York", "Europe/Berlin", "Europe/Zurich", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"];
    let cutoffs = [0, 59, 240, 359];
    // Every 10 minutes through the weeks around 2026's clock changes (northern and southern),
    // and one ordinary week.
    let weeks = [(2026, 3, 5), (2026, 3, 26), (2026, 4, 1), (2026, 10, 1), (2026, 10, 22), (2026, 7, 1)];
    let mut moments: Vec<DateTime<Utc>> = Vec::new();
    for (y, m, d) in weeks {
        let start = Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        moments.extend((0..7 * 24 * 6).map(|i| start + Duration::minutes(10 * i)));
    }
    let mut compared = 0;
    for zone in zones {
        for cutoff in cutoffs {
            let days: Vec<NaiveDate> = sqlx::query_scalar(
                "SELECT till_business_day(m, $2, $3) FROM unnest($1::timestamptz[]) WITH ORDINALITY AS t(m, n) ORDER BY n",
            )
            .bind(&moments)
            .bind(zone)
            .bind(cutoff)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            let (tz, cut) = (TimeZone::parse(zone).unwrap(), Cutoff::from_minutes(cutoff).unwrap());
            for (at, day) in moments.iter().zip(&days) {
                assert_eq!(*day, business_day(*at, tz, cut), "{at} in {zone} with a cut-off of {cutoff} min");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, zones.len() * cutoffs.len() * moments.len());
}
