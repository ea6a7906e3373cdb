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

/// A panel of a home page: what the role does there, filled in by later capabilities.
#[derive(Debug, Clone)]
pub struct Panel {
    /// Anchor id (without `#`).
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What the panel is for.
    pub summary: &'static str,
    /// The page that does it, once it exists: (path, label).
    pub link: Option<(&'static str, &'static str)>,
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
            user: user.map(|c| (c.name.clone(), c.role.label())),
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

/// The header links of a role: home, then the panels of its home page.
pub fn nav(role: Role) -> Vec<NavItem> {
    let mut items = vec![NavItem {
        href: "/home".into(),
        label: "工作台",
    }];
    items.extend(panels(role).iter().map(|p| NavItem {
        href: format!("/home#{}", p.id),
        label: p.title,
    }));
    if matches!(role, Role::Admin | Role::Auditor) {
        items.push(NavItem {
            href: "/api/docs".into(),
            label: "接口文档",
        });
    }
    items
}

/// The panels of each role's home page.
pub fn panels(role: Role) -> &'static [Panel] {
    match role {
        Role::Admin => &[
            Panel {
                id: "campaigns",
                title: "募捐活动",
                summary: "创建、开启和结束双日捐等募捐活动，查看进度。",
                link: Some(("/admin/campaigns", "管理募捐活动")),
            },
            Panel {
                id: "projects",
                title: "品牌项目",
                summary: "17 个品牌慈善项目的收入、拨付与结余。",
                link: None,
            },
            Panel {
                id: "stores",
                title: "阳光超市",
                summary: "61 家阳光超市与调剂中心的库存和发放。",
                link: None,
            },
            Panel {
                id: "users",
                title: "用户与权限",
                summary: "账户、角色以及所属超市、区域和单位。",
                link: None,
            },
        ],
        Role::Finance => &[
            Panel {
                id: "payments",
                title: "到账确认",
                summary: "登记到账款项，自动或手工匹配认捐。",
                link: Some(("/finance/payments", "登记到账")),
            },
            Panel {
                id: "unmatched",
                title: "待匹配款项",
                summary: "未能按认捐编号自动匹配的到账。",
                link: Some(("/finance/payments", "查看待匹配款项")),
            },
            Panel {
                id: "receipts",
                title: "捐赠收据",
                summary: "开具、作废和换开捐赠收据。",
                link: Some(("/finance/receipts", "开具与作废收据")),
            },
        ],
        Role::StoreStaff => &[
            Panel {
                id: "scan",
                title: "扫码发放",
                summary: "扫描救助券二维码，为困难群众发放物资。",
                link: None,
            },
            Panel {
                id: "receive",
                title: "物资入库",
                summary: "登记捐赠物资入库。",
                link: None,
            },
            Panel {
                id: "stock",
                title: "本店库存",
                summary: "本店各类物资的数量与价值。",
                link: None,
            },
        ],
        Role::Caseworker => &[
            Panel {
                id: "households",
                title: "救助对象",
                summary: "登记和维护本辖区的困难家庭。",
                link: None,
            },
            Panel {
                id: "vouchers",
                title: "救助券",
                summary: "按救助计划为困难家庭发放救助券。",
                link: None,
            },
        ],
        Role::UnitCoordinator => &[
            Panel {
                id: "rosters",
                title: "双日捐名单",
                summary: "下载模板，上传本单位职工捐款名单。",
                link: Some(("/unit", "上传名单")),
            },
            Panel {
                id: "unit-totals",
                title: "本单位汇总",
                summary: "本单位捐款合计与职工参与情况。",
                link: None,
            },
        ],
        Role::Auditor => &[
            Panel {
                id: "ledgers",
                title: "账目查阅",
                summary: "查阅款物收支、收据与库存台账。",
                link: None,
            },
            Panel {
                id: "audit-log",
                title: "审计日志",
                summary: "每一次变更的操作人与时间。",
                link: None,
            },
        ],
        Role::Donor => &[
            Panel {
                id: "my-gifts",
                title: "我的捐赠",
                summary: "我的认捐、付款记录和捐赠收据。",
                link: Some(("/my/gifts", "查看我的捐赠")),
            },
            Panel {
                id: "certificates",
                title: "捐赠证书",
                summary: "下载我的捐赠证书。",
                link: None,
            },
        ],
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
