use clap::{CommandFactory, Parser};
use color_eyre::eyre::{Result, WrapErr};
use pilothouse::cli::{Cli, Sub};

fn main() -> Result<()> {
    // Before the terminal is touched, so a panic report is readable (ratatui::init chains its restore hook on top).
    color_eyre::install()?;
    let cli = Cli::parse();
    if let Some(Sub::Completions { shell }) = cli.command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "pilothouse",
            &mut std::io::stdout(),
        );
        return Ok(());
    }
    if let Some(Sub::Man) = cli.command {
        let page = pilothouse::cli::man_page().wrap_err("cannot render the man page")?;
        std::io::Write::write_all(&mut std::io::stdout(), &page)
            .wrap_err("cannot write the man page")?;
        return Ok(());
    }
    let config_path = cli.config.clone().or_else(pilothouse::config::default_path);
    // A config that means nothing stops here, before the terminal is taken:
    // the user reads the sentence in their shell.
    let loaded = pilothouse::config::Config::load(config_path.as_deref())
        .map(|config| pilothouse::runtime::with_flags(config, &cli))
        .and_then(|config| {
            pilothouse::runtime::prepare(&config).map(|prepared| (config, prepared))
        });
    let (config, prepared) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("pilothouse: {err}");
            std::process::exit(2);
        }
    };
    if let Some(Sub::Config) = cli.command {
        print!(
            "{}",
            pilothouse::runtime::describe_config(&config, &prepared)
        );
        return Ok(());
    }
    let log_file = pilothouse::logging::init(&config.log_level.value)?;
    if let Some(Sub::Sim(args)) = cli.command {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .wrap_err("cannot start the async runtime")?;
        return runtime.block_on(pilothouse::sim::run_standalone(args));
    }
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        ?log_file,
        "pilothouse starting"
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    runtime.block_on(pilothouse::runtime::run(cli, config, prepared))
}
