// rustenter opens one file before the enter point and one in
// rustenter::sandbox::enter, the function --enter names as reports print
// it (crate::module::func, without the symbol's hash).
mod sandbox {
    #[inline(never)]
    pub fn enter(path: &str) -> std::io::Result<std::fs::File> {
        std::fs::File::open(path) // SITE:rust_enter
    }
}

fn main() {
    let _ = std::fs::File::open("/etc/hostname"); // SITE:rust_before
    let _ = sandbox::enter("/etc/passwd");
}
