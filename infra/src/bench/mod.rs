//! `outdial bench import` and `outdial bench gate`: the list-import pipeline end to end
//! against PostgreSQL, and the pure compliance gate on one core. The CLI only parses
//! arguments and prints what these return.

pub mod gate;
pub mod import;

/// Peak resident memory of this process, where the OS reports it.
pub(crate) fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A real US area code with a ZIP and the state it is in, spread over every zone (overlays,
/// split-zone states and territories included), so synthetic leads resolve the way real
/// ones do.
pub(crate) struct Place {
    pub(crate) npa: u16,
    pub(crate) zip: &'static str,
    pub(crate) state: &'static str,
}

const fn place(npa: u16, zip: &'static str, state: &'static str) -> Place {
    Place { npa, zip, state }
}

/// Synthetic leads draw their number, ZIP and state from these.
pub(crate) const PLACES: &[Place] = &[
    place(212, "10001", "NY"),
    place(718, "11201", "NY"),
    place(516, "11501", "NY"),
    place(585, "14604", "NY"),
    place(617, "02108", "MA"),
    place(508, "01701", "MA"),
    place(401, "02903", "RI"),
    place(203, "06510", "CT"),
    place(860, "06103", "CT"),
    place(603, "03301", "NH"),
    place(207, "04101", "ME"),
    place(802, "05401", "VT"),
    place(201, "07302", "NJ"),
    place(973, "07102", "NJ"),
    place(215, "19103", "PA"),
    place(412, "15222", "PA"),
    place(717, "17101", "PA"),
    place(302, "19801", "DE"),
    place(410, "21201", "MD"),
    place(301, "20814", "MD"),
    place(202, "20001", "DC"),
    place(703, "22201", "VA"),
    place(804, "23219", "VA"),
    place(304, "25301", "WV"),
    place(919, "27601", "NC"),
    place(704, "28202", "NC"),
    place(803, "29201", "SC"),
    place(404, "30303", "GA"),
    place(912, "31401", "GA"),
    place(305, "33130", "FL"),
    place(407, "32801", "FL"),
    place(813, "33602", "FL"),
    place(850, "32501", "FL"),
    place(448, "32301", "FL"),
    place(205, "35203", "AL"),
    place(334, "36104", "AL"),
    place(601, "39201", "MS"),
    place(504, "70112", "LA"),
    place(225, "70801", "LA"),
    place(901, "38103", "TN"),
    place(615, "37203", "TN"),
    place(865, "37902", "TN"),
    place(423, "37402", "TN"),
    place(502, "40202", "KY"),
    place(270, "42101", "KY"),
    place(513, "45202", "OH"),
    place(216, "44113", "OH"),
    place(614, "43215", "OH"),
    place(313, "48226", "MI"),
    place(616, "49503", "MI"),
    place(317, "46204", "IN"),
    place(812, "47708", "IN"),
    place(312, "60602", "IL"),
    place(217, "62701", "IL"),
    place(414, "53202", "WI"),
    place(612, "55401", "MN"),
    place(515, "50309", "IA"),
    place(314, "63101", "MO"),
    place(816, "64106", "MO"),
    place(501, "72201", "AR"),
    place(405, "73102", "OK"),
    place(918, "74103", "OK"),
    place(214, "75201", "TX"),
    place(713, "77002", "TX"),
    place(512, "78701", "TX"),
    place(210, "78205", "TX"),
    place(915, "79901", "TX"),
    place(432, "79701", "TX"),
    place(402, "68102", "NE"),
    place(308, "69101", "NE"),
    place(316, "67202", "KS"),
    place(605, "57104", "SD"),
    place(701, "58102", "ND"),
    place(406, "59601", "MT"),
    place(307, "82001", "WY"),
    place(303, "80202", "CO"),
    place(719, "80903", "CO"),
    place(505, "87102", "NM"),
    place(602, "85004", "AZ"),
    place(520, "85701", "AZ"),
    place(801, "84101", "UT"),
    place(208, "83702", "ID"),
    place(702, "89101", "NV"),
    place(775, "89501", "NV"),
    place(206, "98101", "WA"),
    place(509, "99201", "WA"),
    place(503, "97201", "OR"),
    place(541, "97401", "OR"),
    place(213, "90012", "CA"),
    place(415, "94102", "CA"),
    place(619, "92101", "CA"),
    place(916, "95814", "CA"),
    place(907, "99501", "AK"),
    place(808, "96813", "HI"),
    place(787, "00901", "PR"),
];

/// Deletes every Redis key under `<prefix>:` (a benchmark's own queue, outbox and bus keys),
/// so repeated runs do not pile up keys on a shared server; the keys deleted.
pub async fn drop_redis_prefix(url: &str, prefix: &str) -> anyhow::Result<u64> {
    let client = redis::Client::open(url)?;
    let mut conn = redis::aio::ConnectionManager::new(client).await?;
    let pattern = format!("{prefix}:*");
    let mut cursor: u64 = 0;
    let mut deleted = 0u64;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await?;
        if !keys.is_empty() {
            let n: u64 = redis::cmd("UNLINK").arg(&keys).query_async(&mut conn).await?;
            deleted += n;
        }
        if next == 0 {
            return Ok(deleted);
        }
        cursor = next;
    }
}
