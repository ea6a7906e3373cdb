//! The pages' view models: the layout's navigation and each role's home panels.

use askama::Template;

use crate::identity::Role;
use crate::identity::tokens::Claims;

/// A link in the header.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: String,
    /// What it says.
    pub label: &'static str,
}

/// A panel of a home page: something the role does, and the page where it is done.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Anchor id (without `#`).
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What the panel is for.
    pub summary: &'static str,
    /// The page that does it: (path, label).
    pub link: (&'static str, &'static str),
}

/// What the layout needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page title.
    pub title: String,
    /// The signed-in person's name and role label, if any.
    pub user: Option<(String, &'static str)>,
    /// The header links.
    pub nav: Vec<NavItem>,
    /// The CSRF token for the sign-out form and any other.
    pub csrf: String,
}

impl Layout {
    /// The layout for a page, with navigation for the signed-in person's role.
    pub fn new(title: impl Into<String>, user: Option<&Claims>, csrf: &str) -> Self {
        Self {
            title: title.into(),
            user: user.map(|c| (c.shown_name().to_owned(), c.role.label())),
            nav: user.map(|c| nav(c.role)).unwrap_or_else(public_nav),
            csrf: csrf.to_owned(),
        }
    }
}

fn public_nav() -> Vec<NavItem> {
    vec![
        NavItem {
            href: "/".into(),
            label: "首页",
        },
        NavItem {
            href: "/login".into(),
            label: "登录",
        },
    ]
}

/// The header links of a role: home, then the page of each panel of its home page (each
/// page once), then the API documentation for those who read the books.
pub fn nav(role: Role) -> Vec<NavItem> {
    let mut items = vec![NavItem {
        href: "/home".into(),
        label: "工作台",
    }];
    for panel in panels(role) {
        let (href, _) = panel.link;
        if !items.iter().any(|i| i.href == href) {
            items.push(NavItem {
                href: href.into(),
                label: panel.title,
            });
        }
    }
    if matches!(role, Role::Admin | Role::Auditor) {
        items.push(NavItem {
            href: "/api/docs".into(),
            label: "接口文档",
        });
    }
    items
}

/// The panels of each role's home page: only what is built. The stores, vouchers,
/// households and reports come with later issues, and get their panels then.
pub fn panels(role: Role) -> &'static [Panel] {
    match role {
        Role::Admin => &[
            Panel {
                id: "campaigns",
                title: "募捐活动",
                summary: "创建、开启和结束双日捐等募捐活动，查看进度。",
                link: ("/admin/campaigns", "管理募捐活动"),
            },
            Panel {
                id: "payment-settings",
                title: "收款账户",
                summary: "捐赠人转账用的户名、开户行和账号，以及其他捐款方式。",
                link: ("/admin/payment-settings", "设置收款账户"),
            },
            Panel {
                id: "audit-log",
                title: "审计日志",
                summary: "每一次变更的操作人、时间与内容。",
                link: ("/audit", "查阅审计日志"),
            },
        ],
        Role::Finance => &[
            Panel {
                id: "payments",
                title: "到账确认",
                summary: "登记到账款项，自动或手工匹配认捐；处理未能按编号自动匹配的到账。",
                link: ("/finance/payments", "登记与匹配到账"),
            },
            Panel {
                id: "receipts",
                title: "捐赠收据",
                summary: "开具、作废和换开捐赠收据。",
                link: ("/finance/receipts", "开具与作废收据"),
            },
        ],
        Role::StoreStaff | Role::Caseworker => &[],
        Role::UnitCoordinator => &[Panel {
            id: "rosters",
            title: "双日捐名单",
            summary: "下载模板，上传本单位职工捐款名单，查看汇款编号、汇款账户和到账情况。",
            link: ("/unit", "上传名单"),
        }],
        Role::Auditor => &[
            Panel {
                id: "payments",
                title: "到账记录",
                summary: "到账款项、待匹配款项与认捐查询（只读）。",
                link: ("/finance/payments", "查阅到账"),
            },
            Panel {
                id: "receipts",
                title: "捐赠收据",
                summary: "已开具、作废和待开具的收据（只读）。",
                link: ("/finance/receipts", "查阅收据"),
            },
            Panel {
                id: "campaigns",
                title: "募捐活动",
                summary: "各募捐活动的进度、已到账与待到账金额（只读）。",
                link: ("/admin/campaigns", "查阅募捐活动"),
            },
            Panel {
                id: "audit-log",
                title: "审计日志",
                summary: "每一次变更的操作人、时间与内容。",
                link: ("/audit", "查阅审计日志"),
            },
        ],
        Role::Donor => &[Panel {
            id: "my-gifts",
            title: "我的捐赠",
            summary: "我的认捐、付款记录、捐赠收据、证书和年度汇总。",
            link: ("/my/gifts", "查看我的捐赠"),
        }],
    }
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// The layout.
    pub layout: Layout,
    /// The username typed last time, to fill in again.
    pub username: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Where to go after signing in.
    pub next: String,
}

/// A role's home page.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// The layout.
    pub layout: Layout,
    /// The role's label.
    pub role_label: &'static str,
    /// The role's panels.
    pub panels: &'static [Panel],
}

/// The public landing page.
#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    /// The layout.
    pub layout: Layout,
    /// Open campaigns: (id, name).
    pub campaigns: Vec<(String, String)>,
}

/// An error page for people (programs get problem+json).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// The layout.
    pub layout: Layout,
    /// The HTTP status.
    pub status: u16,
    /// The problem's title.
    pub heading: String,
    /// The problem's detail.
    pub detail: String,
}
