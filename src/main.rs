fn main() -> std::process::ExitCode {
    intro::main()
}
