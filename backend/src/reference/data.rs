//! The reference data of Jilin City: real where the plan names it, marked demo otherwise.

/// Jilin City (吉林市), GB/T 2260 code.
pub const CITY: (&str, &str) = ("220200", "吉林市");

/// The four districts and five counties / county-level cities, with their GB/T 2260 codes.
pub const DISTRICTS: [(&str, &str, bool); 9] = [
    ("220202", "昌邑区", true),
    ("220203", "龙潭区", true),
    ("220204", "船营区", true),
    ("220211", "丰满区", true),
    ("220221", "永吉县", false),
    ("220281", "蛟河市", false),
    ("220282", "桦甸市", false),
    ("220283", "舒兰市", false),
    ("220284", "磐石市", false),
];

/// Names for demo streets and towns; each gets the suffix 街道 (districts) or 镇 (counties).
pub const DEMO_STREET_NAMES: [&str; 3] = ["东风", "新华", "和平"];

/// Names for demo communities and villages.
pub const DEMO_COMMUNITY_NAMES: [&str; 2] = ["幸福", "光明"];

/// How many 阳光超市 there are.
pub const STORE_COUNT: usize = 61;

/// The central warehouse (调剂中心).
pub const WAREHOUSE_NAME: &str = "吉林市慈善总会调剂中心";

/// The four projects the plan names.
pub const REAL_PROJECTS: [&str; 4] = [
    "慈善救助、情暖万家",
    "慈善救助、圆梦大学",
    "关爱孤儿、助学成才",
    "慈善助春耕",
];

/// Thirteen demo projects, to make up the plan's seventeen.
pub const DEMO_PROJECTS: [&str; 13] = [
    "慈善助医（示例）",
    "夕阳温暖（示例）",
    "助残康复（示例）",
    "应急救灾（示例）",
    "爱心助餐（示例）",
    "困难职工帮扶（示例）",
    "留守儿童关爱（示例）",
    "冬季送暖（示例）",
    "复明行动（示例）",
    "高中助学（示例）",
    "社区互助（示例）",
    "重病儿童救助（示例）",
    "慈善安居（示例）",
];

/// The programme goal of the 11th Five-Year plan: 8000万元 and 10万人次 over 2006–2010.
pub const PROGRAMME_GOAL: ProgrammeGoalSeed = ProgrammeGoalSeed {
    name: "“十一五”慈善救助双日捐目标",
    starts_on: (2006, 1, 1),
    ends_on: (2010, 12, 31),
    target_fen: 80_000_000 * 100,
    target_people_times: 100_000,
};

/// A programme goal to seed.
pub struct ProgrammeGoalSeed {
    /// Its name.
    pub name: &'static str,
    /// First day (year, month, day).
    pub starts_on: (i32, u32, u32),
    /// Last day (year, month, day).
    pub ends_on: (i32, u32, u32),
    /// Target in fen.
    pub target_fen: i64,
    /// Target in person-times.
    pub target_people_times: i64,
}

/// The demo work unit and its sub-unit.
pub const DEMO_UNIT: (&str, &str) = ("吉林市示例化工有限公司（示例）", "工会第一分会（示例）");
