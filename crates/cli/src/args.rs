//! Command-line arguments. Other tools depend on these names: change them with care.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "waymark",
    version,
    about = "Run a council's corporate plan from promise to delivery"
)]
pub struct Cli {
    /// Database: a SQLite file path or sqlite: URL.
    #[arg(long, global = true, env = "WAYMARK_DB", default_value = "waymark.db")]
    pub db: String,
    /// Which council (needed only when the database holds more than one).
    #[arg(long, global = true, env = "WAYMARK_COUNCIL")]
    pub council: Option<String>,
    /// The deployment's configuration file (site address, mail server, reminders, audit keys).
    #[arg(long, global = true, env = "WAYMARK_CONFIG")]
    pub config: Option<PathBuf>,
    /// How log lines are written to standard error: readable text, or one JSON object per
    /// line for a log shipper. Which lines are written is set by RUST_LOG (default "info"
    /// when serving, warnings otherwise; e.g. "warn" or "info,waymark::access=off").
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "WAYMARK_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
    /// Whether --db (or WAYMARK_DB) was given rather than defaulted: `template` fills in the
    /// council's data only then.
    #[arg(skip)]
    pub db_named: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import council documents (plan pages, action plans, progress reports, KPI tables, strategies).
    Import(ImportArgs),
    /// Statistics for a reporting period: counts by status, the headline figure, published claims.
    Stats(StatsArgs),
    /// Data-quality checks: duplicates, unlinked activities, vague or overdue dates, wrong headlines.
    Check(CheckArgs),
    /// How each report row was linked to a plan activity.
    Reconcile(ReconcileArgs),
    /// Export stored data.
    Export(ExportArgs),
    /// A spreadsheet template for the plan, the indicators or a quarter's returns, in the shape
    /// `waymark import` reads back: blank (headers, notes, drop-downs), or with --db filled
    /// with the council's current data.
    Template(TemplateArgs),
    /// Link activities to the plan's outcomes from a CSV file with columns `reference,outcomes`
    /// (e.g. `4,5` or `12,"4;7"`), so statistics can be read by theme and outcome; or
    /// `outcomes suggest` to have them suggested from the plan's own words.
    Outcomes(OutcomesArgs),
    /// What each revision of the action plan changed.
    Changes(ChangesArgs),
    /// Council settings: the headline rule.
    Config(ConfigArgs),
    /// The main job: load the bundled London Borough of Bexley documents into an empty
    /// database and serve the public website (with --load-only: load, print the summary, exit).
    Demo(DemoArgs),
    /// Serve the public website, open data and JSON API from an existing database.
    Serve(ServeArgs),
    /// Write the whole public site (pages, downloads, reports, API documents, assets) as files
    /// for any static web server, at a domain's root or under a sub-path: every council the
    /// database holds, as `serve` shows them.
    Publish(PublishArgs),
    /// Write a report: the annual performance report, the quarterly exception report (Amber,
    /// Red, overdue and missing returns, movements) or one cabinet member's portfolio report.
    Report(ReportArgs),
    /// Back the database up to a new SQLite file, consistent even while others write.
    Backup(BackupArgs),
    /// Restore a backup file into the database (created if needed).
    Restore(RestoreArgs),
    /// Copy every council from one database to another: a SQLite file or a postgres:// URL.
    Copy(CopyArgs),
    /// Load synthetic councils (plans, quarterly returns with commentary, indicator values),
    /// the same every time for the same options: for scale tests and benchmarks.
    Synth(SynthArgs),
    /// Staff accounts: add one (printing a one-time set-up link), list them, or issue a new link.
    User(UserArgs),
    /// The audit trail: check its chain, seals and recorded rows, take a signed checkpoint, or
    /// export it.
    Audit(AuditArgs),
    /// E-mail reminders now: owners with returns due and not submitted, directors with returns
    /// waiting (at most one of each a day; `serve` also sends them every hour). Needs [smtp] in
    /// the configuration file.
    Remind(RemindArgs),
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// Show who would be reminded of what, without sending anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub what: UserWhat,
}

#[derive(Debug, Subcommand)]
pub enum UserWhat {
    /// Add an account and print a one-time link for the person to set their password
    /// (there are no default passwords). The first admin is made this way.
    Add {
        /// The person's e-mail address (they sign in with it).
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The person's name as others see it (default: the e-mail address).
        #[arg(long)]
        name: Option<String>,
        /// For a director: the directorate they approve returns for, as the plan names it. For
        /// an owner (optional): that directorate's director sees their indicator values before
        /// they are published.
        #[arg(long)]
        directorate: Option<String>,
        /// The staff site's address, for the link (e.g. https://performance.bexley.gov.uk).
        #[arg(long, env = "WAYMARK_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Issue a new one-time set-up link (a forgotten password); older links stop working.
    Link {
        email: String,
        #[arg(long, env = "WAYMARK_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// List the council's accounts.
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: TextOrJson,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Director,
    Owner,
    Reader,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub what: AuditWhat,
}

#[derive(Debug, Subcommand)]
pub enum AuditWhat {
    /// Check that no event of the audit trail was changed, removed or inserted, that every
    /// seal matches the audit key (when there is one), and that every data row an event
    /// recorded is still as recorded. Exits 0 when all holds, 1 when anything is broken.
    Verify {
        /// A checkpoint written by `waymark audit checkpoint`: also proves that nothing up to
        /// its event changed and nothing after it was removed (events added since are fine).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// The public key checkpoints must be signed with (the `.pub` file written beside the
        /// signing key). Default: the deployment's own signing key, if this machine has it.
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        public_key: Option<PathBuf>,
        /// The newest hash printed by an earlier check: fails unless it is still the newest
        /// (so any later activity fails it too; a checkpoint does not).
        #[arg(long)]
        expect_head: Option<String>,
    },
    /// Check the trail, then write a signed checkpoint of where it stands (the newest event's
    /// number and hash, the number of events) for `audit verify --checkpoint`. Take one
    /// regularly (e.g. daily) and keep it off the server.
    Checkpoint {
        /// The checkpoint file to write (never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The Ed25519 signing key (made on first use). Default: [audit] signing_key_file in
        /// the configuration file, else beside the audit key.
        #[arg(long, value_name = "SIGNING_KEY")]
        key_file: Option<PathBuf>,
    },
    /// Write the council's audit trail (every council's with --all) as CSV or JSON.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: CsvOrJson,
        /// Every council's events, and those belonging to none (e.g. sign-ins by unknown addresses).
        #[arg(long)]
        all: bool,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvOrJson {
    Csv,
    Json,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct OutcomesArgs {
    /// CSV file with a header row naming `reference` and `outcomes`.
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub action: Option<OutcomesAction>,
}

#[derive(Debug, Subcommand)]
pub enum OutcomesAction {
    /// Suggest each activity's outcomes from the corporate plan's words (outcome titles and
    /// narratives, priority themes) with the directorate as a weak hint, printing the best
    /// outcomes with their scores (0-1). Activities a person has linked are left alone.
    Suggest(SuggestArgs),
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Record the suggestions: confident ones are linked and published as "suggested" until a
    /// person confirms or rejects them; the rest wait for a person on the staff site.
    #[arg(long)]
    pub apply: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// Show the changes recorded by the end of this date (YYYY-MM-DD).
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub what: ConfigWhat,
}

#[derive(Debug, Subcommand)]
pub enum ConfigWhat {
    /// Show the council's settings.
    Show,
    /// Set how the headline figure is counted, e.g. `--count complete,green` (Bexley's rule) or
    /// `--count complete --exclude ceased`.
    Headline {
        /// Statuses counted on top: complete, green, amber, red, ceased, not_started.
        #[arg(long, value_delimiter = ',', required = true)]
        count: Vec<String>,
        /// Statuses left out of the total.
        #[arg(long, value_delimiter = ',')]
        exclude: Vec<String>,
        /// A short name shown with the figure ("complete or on track").
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Auto,
    CorporatePlan,
    Principles,
    ActionPlan,
    ActivityReport,
    KpiTable,
    Strategy,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the files are; `auto` detects each file's kind from its content.
    #[arg(long, value_enum, default_value = "auto")]
    pub kind: KindArg,
    /// A council vocabulary file (TOML): status labels, directorates, portfolios.
    #[arg(long, env = "WAYMARK_VOCABULARY")]
    pub vocabulary: Option<PathBuf>,
    /// The council's full name, used when this import creates the council.
    #[arg(long)]
    pub council_name: Option<String>,
    /// A mapping file (TOML) saying what columns hold, the kind and the period, over what
    /// is inferred: `[columns] "Lead Committee" = "portfolio"`.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Print what each file was read as (every column's role and how sure), change nothing.
    #[arg(long)]
    pub explain: bool,
    /// The reporting period of a report that does not name its own (`2025/26-Q3`); over
    /// a mapping file's `period`.
    #[arg(long)]
    pub period: Option<String>,
    /// Files to import, all in one transaction.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReconcileFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetKind {
    Plan,
    Indicators,
    Returns,
}

/// A template's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// The plan's framing (themes, outcomes, principles, values, strategies).
    Json,
    /// The plan's activities in the template's shape.
    Csv,
    /// The plan's activities in the template's shape, as a workbook.
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IndicatorsFormat {
    /// The open-data rows (one per value, with source and rating), or with --template the
    /// template's shape.
    Csv,
    Json,
    /// The template's shape, as a workbook.
    Xlsx,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Which table: the plan's activities, indicator values (one row per indicator and
    /// period), or a quarter's returns.
    #[arg(value_enum)]
    pub kind: SheetKind,
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: SheetFormat,
    /// The file to write (replaced if it exists); default: standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// For returns filled from the database: the quarter (default: the latest with returns).
    #[arg(long)]
    pub period: Option<String>,
    /// Headers only, even with --db (the status drop-down still lists the council's labels).
    #[arg(long)]
    pub blank: bool,
    /// A council vocabulary file (TOML): its status labels join the drop-down.
    #[arg(long, env = "WAYMARK_VOCABULARY")]
    pub vocabulary: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// Reporting period: 2024/25-Q4, "2024/25 Q4", 2024-25-q4 or "Year End 24/25". Default: the latest with data.
    #[arg(long)]
    pub period: Option<String>,
    /// Show the data as it stood at the end of this date (YYYY-MM-DD).
    #[arg(long)]
    pub as_of: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Accept the suggested link for this report reference (repeatable).
    #[arg(long = "accept", value_name = "REFERENCE")]
    pub accept: Vec<String>,
    /// Reject the suggested link for this report reference (repeatable).
    #[arg(long = "reject", value_name = "REFERENCE")]
    pub reject: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReconcileFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: ExportWhat,
}

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// Every activity with its status for a period.
    Activities {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
    /// Every indicator value (KPI outturns) with its RAG rating. `--format xlsx` (or csv with
    /// --template) writes them in the indicator template's shape, which `waymark import`
    /// reads back.
    Indicators {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum)]
        format: IndicatorsFormat,
        /// CSV in the template's shape rather than the open-data rows.
        #[arg(long)]
        template: bool,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The plan's framing: priority themes, outcomes, principles, values, strategies (JSON);
    /// with `--format csv|xlsx` its activities in the plan template's shape.
    Plan {
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: PlanFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A quarter's returns (each activity's status and commentary, with its reference and
    /// title) in the returns template's shape, which `waymark import` reads back.
    Returns {
        #[command(flatten)]
        period: PeriodArgs,
        #[arg(long, value_enum)]
        format: SheetFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: TextOrJson,
    /// Load the documents and print the summary, without serving the site.
    #[arg(long)]
    pub load_only: bool,
    /// Address to serve on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", env = "WAYMARK_ADDR")]
    pub addr: String,
    /// The address people reach the site at, for links the staff site hands out (default:
    /// http:// and the address served on). Over https://, cookies are Secure and host-bound,
    /// and every response carries Strict-Transport-Security.
    #[arg(long, env = "WAYMARK_URL")]
    pub url: Option<String>,
    /// A second address for the operations endpoints (/healthz, /readyz and /metrics), such
    /// as 127.0.0.1:9090: metrics are then served there only, not on --addr.
    #[arg(long, env = "WAYMARK_ADMIN_ADDR")]
    pub admin_addr: Option<String>,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The directory to write (created; it must not exist, or be empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the directory when it holds an earlier export (never anything else).
    #[arg(long)]
    pub force: bool,
    /// The path the site will be served from, such as / or /performance/. The 404 page,
    /// which a server shows at any missing address, needs it for its links to work at every
    /// depth; every other link is relative and works anywhere.
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Which report.
    #[arg(value_enum)]
    pub kind: ReportKind,
    /// A quarter ("2024/25 Q4", 2024-25-q4) or, for the annual report, a year ("2024/25": its
    /// latest quarter with returns). Default: the latest period with returns.
    #[arg(long)]
    pub period: Option<String>,
    /// The cabinet portfolio of a portfolio report, as the plan names it.
    #[arg(long)]
    pub portfolio: Option<String>,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    /// The file to write (replaced if it exists).
    #[arg(long)]
    pub out: PathBuf,
    /// Include the period's submitted and approved returns not yet published; the report is
    /// marked DRAFT on every page.
    #[arg(long)]
    pub draft: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportKind {
    Annual,
    Exceptions,
    Portfolio,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Html,
    Pdf,
    Xlsx,
    Docx,
    Md,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to serve on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", env = "WAYMARK_ADDR")]
    pub addr: String,
    /// The address people reach the site at, for links the staff site hands out (default:
    /// http:// and the address served on). Over https://, cookies are Secure and host-bound,
    /// and every response carries Strict-Transport-Security.
    #[arg(long, env = "WAYMARK_URL")]
    pub url: Option<String>,
    /// A second address for the operations endpoints (/healthz, /readyz and /metrics), such
    /// as 127.0.0.1:9090: metrics are then served there only, not on --addr.
    #[arg(long, env = "WAYMARK_ADMIN_ADDR")]
    pub admin_addr: Option<String>,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// How many councils (1 to 10,000).
    #[arg(long, default_value_t = 3)]
    pub councils: usize,
    /// Activities in each council's plan (1 to 5,000).
    #[arg(long, default_value_t = 150)]
    pub activities: usize,
    /// Financial years of quarterly returns (1 to 50).
    #[arg(long, default_value_t = 2)]
    pub years: usize,
    /// Seed: the same seed and sizes give the same councils.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The first financial year, by the calendar year it starts in.
    #[arg(long, default_value_t = 2015)]
    pub first_year: u16,
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to create (never overwritten).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `waymark backup`.
    pub file: PathBuf,
    /// Delete everything the database holds first (otherwise it must hold no council).
    #[arg(long)]
    pub replace: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy: a SQLite path or URL, or a postgres:// URL.
    #[arg(long)]
    pub from: String,
    /// The database to copy into (created if needed).
    #[arg(long)]
    pub to: String,
    /// Delete everything the target holds first (otherwise it must hold no council).
    #[arg(long)]
    pub replace: bool,
}
