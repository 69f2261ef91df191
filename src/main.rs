fn main() {
    std::process::exit(ftbench::cli::main());
}
