//! Insights never touches the network (or the file system, or processes).
//! By design the module has no networking dependency; this test also scans its
//! source so nobody adds one by accident.

const SOURCES: [(&str, &str); 9] = [
    ("mod.rs", include_str!("../mod.rs")),
    ("input.rs", include_str!("../input.rs")),
    ("settings.rs", include_str!("../settings.rs")),
    ("guidance.rs", include_str!("../guidance.rs")),
    ("trends.rs", include_str!("../trends.rs")),
    ("alerts.rs", include_str!("../alerts.rs")),
    ("signposts.rs", include_str!("../signposts.rs")),
    ("fitness.rs", include_str!("../fitness.rs")),
    ("chart.rs", include_str!("../chart.rs")),
];

#[test]
fn insights_source_has_no_network_or_io() {
    // Needles are built at run time so this file does not match itself.
    let needles: Vec<String> = [
        ["std::", "net"],
        ["Tcp", "Stream"],
        ["Udp", "Socket"],
        ["req", "west"],
        ["hy", "per::"],
        ["ure", "q::"],
        ["std::", "fs"],
        ["std::", "process"],
        ["File::", "open"],
        ["crate", "::"],
    ]
    .iter()
    .map(|p| p.concat())
    .collect();
    for (name, src) in SOURCES {
        for n in &needles {
            assert!(!src.contains(n.as_str()), "{name} mentions {n}");
        }
    }
}

#[test]
fn every_module_file_is_scanned() {
    let declared: Vec<&str> = SOURCES[0]
        .1
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(declared.len(), SOURCES.len() - 1);
    for m in declared {
        assert!(SOURCES.iter().any(|(f, _)| *f == format!("{m}.rs")), "{m}.rs is not scanned");
    }
}
