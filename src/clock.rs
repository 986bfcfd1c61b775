//! The wall clock, in whole seconds since the Unix epoch: admin idle times, Paysera's
//! `time_limit`, the names of files kept aside by a restore. (SQL timestamps come from the
//! database's own clock.)

pub fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
