//! The portal's server binary; everything lives in the `server` library.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::cli::run().await
}
