//! `cargo run -p fitstream --example dump -- FILE... [-v]`: print the messages and the decode report.
#![allow(clippy::print_stdout, clippy::print_stderr)] // an example whose job is printing
use fitstream as fit;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let verbose = args.iter().any(|a| a == "-v");
    for path in args.iter().skip(1).filter(|a| !a.starts_with('-')) {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let mut it = fit::SliceDecoder::new(&data, fit::DecodeOptions::default());
        let mut counts = std::collections::BTreeMap::new();
        for m in it.by_ref() {
            *counts
                .entry(m.name.map(|s| s.to_string()).unwrap_or(format!("#{}", m.global_num)))
                .or_insert(0) += 1;
            if verbose {
                print!("@{} {} ts={:?}", m.offset, m.name.unwrap_or("?"), m.timestamp);
                for f in &m.fields {
                    print!(
                        " {}={:?}",
                        f.display_name().map(|s| s.to_string()).unwrap_or(format!("#{}", f.num)),
                        f.scaled()
                    );
                }
                for d in &m.dev_fields {
                    print!(" dev[{}:{}]{:?}={:?}", d.developer_data_index, d.num, d.name(), d.value);
                }
                println!();
            }
        }
        let r = it.report();
        println!("{path}: {:?}", counts);
        println!(
            "  files={} header_crc_ok={} file_crc_ok={} messages={} bytes={}",
            r.chained_files, r.header_crc_ok, r.file_crc_ok, r.messages, r.bytes_read
        );
        for d in &r.damage {
            println!("  damage {d}");
        }
    }
}
