fn main() {
    std::process::exit(ftbench::cmd::main());
}
