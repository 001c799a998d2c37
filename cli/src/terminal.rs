//! The only place `phr` writes to its standard streams.
//!
//! `outln!` writes a line to stdout and `errln!` to stderr. A reader that goes away early
//! (`phr export | head -1`) is not an error to report: the command stops quietly with
//! status 0, as Unix filters do, instead of panicking the way `println!` does on a closed
//! pipe.

use std::io::Write;

/// Writes one line to stdout; on a closed pipe, ends the process quietly.
#[allow(clippy::print_stderr)] // the last word when stdout itself is broken
pub(crate) fn out_line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("phr: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Writes one line to stderr (messages for the person, never record values in logs).
pub(crate) fn err_line(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    // Nothing sensible is left to do when stderr is gone.
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

macro_rules! outln {
    () => { $crate::terminal::out_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::terminal::out_line(format_args!($($arg)*)) };
}

macro_rules! errln {
    () => { $crate::terminal::err_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::terminal::err_line(format_args!($($arg)*)) };
}

pub(crate) use {errln, outln};
