//! The command line: `serve` (the default), `migrate`, `seed --demo`, `user create`, `check`.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::identity::Role;
use crate::identity::service::{NewUser, create_user};
use crate::reference::seed::{self, DemoAccount};
use crate::{Application, app, check, db, ops};

/// 阳光慈善：吉林市慈善总会的募捐、收据、阳光超市与救助券平台
#[derive(Debug, Parser)]
#[command(name = "sunshine", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 启动服务（默认）
    Serve,
    /// 执行数据库迁移
    Migrate,
    /// 载入基础数据；加 --demo 再载入示例账户
    Seed {
        /// 同时创建每个角色的示例账户（仅限开发环境）
        #[arg(long)]
        demo: bool,
    },
    /// 管理用户
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// 检查数据库中的不变量，违反时以非零状态退出
    Check,
    /// 备份数据库到文件（SQLite 在线备份；PostgreSQL 用 pg_dump），并检查备份
    Backup {
        /// 备份文件（不能已存在）
        file: std::path::PathBuf,
    },
    /// 用备份文件恢复数据库（请先停止服务），恢复后检查
    Restore {
        /// 备份文件
        file: std::path::PathBuf,
        /// 目标数据库已有数据时也覆盖
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// 创建用户；密码从标准输入读取（终端中会提示输入）
    Create(CreateUser),
}

#[derive(Debug, Args)]
struct CreateUser {
    /// 用户名：3–32 个小写字母、数字、下划线、点或连字符
    #[arg(long)]
    username: String,
    /// 角色：admin, finance, store_staff, caseworker, unit_coordinator, auditor, donor
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// 显示名称
    #[arg(long)]
    display_name: Option<String>,
    /// 所属阳光超市的 id（店员必填）
    #[arg(long)]
    store: Option<String>,
    /// 所属行政区划代码（社区工作人员必填）
    #[arg(long)]
    region: Option<String>,
    /// 所属单位的 id（单位联络员必填）
    #[arg(long)]
    unit: Option<String>,
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse().map_err(|()| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("未知角色 {raw}，应为：{}", names.join(", "))
    })
}

/// Parses the process's command line and runs it.
pub fn main() -> ExitCode {
    main_with(std::env::args_os())
}

/// Parses a command line (the program name first) and runs it; the benchmark starts
/// servers through this.
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("配置错误：{err}");
            return ExitCode::from(2);
        }
    };
    ops::telemetry::init(config.environment);
    // Blocking threads (password hashing, documents, uploads) end after a second idle:
    // the allocator gives a thread's freed memory back to the system when the thread
    // ends, and a server at rest should not hold the memory of its last burst.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_keep_alive(std::time::Duration::from_secs(1))
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("无法启动运行时：{err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = db::connect(&config.database_url).await?;
            db::migrate(&db).await?;
            say("数据库迁移已完成。")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed { demo } => {
            if demo && config.is_production() {
                eprintln!("生产环境不能创建示例账户。");
                return Ok(ExitCode::from(2));
            }
            let db = db::connect(&config.database_url).await?;
            db::migrate(&db).await?;
            seed::seed_reference(&db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            say("基础数据已载入。")?;
            if demo {
                let accounts = seed::seed_demo(&db)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                print_accounts(&accounts)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Create(args),
        } => create(config, args).await,
        Command::Backup { file } => {
            let done = crate::backup::backup(&config.database_url, &file).await?;
            finish_copy("备份", &done)
        }
        Command::Restore { file, force } => {
            let done = crate::backup::restore(&config.database_url, &file, force).await?;
            finish_copy("恢复", &done)
        }
        Command::Check => {
            let db = db::connect(&config.database_url).await?;
            let report = check::run(&db).await?;
            let mut out = std::io::stdout().lock();
            for line in &report.lines {
                writeln!(out, "{line}")?;
            }
            if report.violations == 0 {
                writeln!(out, "全部检查通过。")?;
                Ok(ExitCode::SUCCESS)
            } else {
                writeln!(out, "发现 {} 处违反不变量。", report.violations)?;
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Says what a backup or restore did and whether the check held.
fn finish_copy(what: &str, done: &crate::backup::Done) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    for line in &done.report.lines {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "{what}完成：{}（{:.1} MB）",
        done.file.display(),
        done.bytes as f64 / 1_048_576.0
    )?;
    if done.report.violations == 0 {
        writeln!(out, "检查通过。")?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "检查发现 {} 处违反不变量。", done.report.violations)?;
        Ok(ExitCode::FAILURE)
    }
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let app = Application::build(config.clone()).await?;
    if !app.demo_accounts.is_empty() {
        say("首次启动：已创建示例账户（仅限开发环境）：")?;
        print_accounts(&app.demo_accounts)?;
    }
    say(&format!(
        "阳光慈善已启动：http://{}:{}/  （API 文档：/api/docs）",
        config.bind.ip(),
        app.port()
    ))?;
    tracing::info!(port = app.port(), environment = ?config.environment, "listening");
    app.run_until(app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn create(config: Config, args: CreateUser) -> anyhow::Result<ExitCode> {
    let password = read_password()?;
    let db = db::connect(&config.database_url).await?;
    db::migrate(&db).await?;
    seed::seed_reference(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let created = create_user(
        &db,
        "cli",
        NewUser {
            username: args.username,
            display_name: args.display_name,
            password,
            role: args.role,
            store_id: args.store,
            region_code: args.region,
            unit_id: args.unit,
        },
    )
    .await;
    match created {
        Ok(user) => {
            say(&format!(
                "已创建用户 {}（{}）。",
                user.username,
                user.role.label()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::error::AppError::Validation(errors)) => {
            for e in errors {
                eprintln!("{}：{}", e.field, e.message);
            }
            Ok(ExitCode::from(2))
        }
        Err(err) => {
            eprintln!("{}", err.problem().detail);
            Ok(ExitCode::from(2))
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("请输入密码：")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    Ok(password)
}

fn print_accounts(accounts: &[DemoAccount]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "  {:<12} {:<14} 角色", "用户名", "密码")?;
    for a in accounts {
        writeln!(
            out,
            "  {:<14} {:<16} {}（{}）",
            a.username,
            a.password,
            a.role.label(),
            a.role
        )?;
    }
    Ok(())
}

fn say(line: &str) -> std::io::Result<()> {
    writeln!(std::io::stdout().lock(), "{line}")
}
