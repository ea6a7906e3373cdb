//! The OpenAPI document, generated from the handlers' annotations. Every operation names
//! the roles it admits in `x-roles`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's frame; the paths come from the routers that register each handler.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "阳光慈善 API",
        description = "吉林市慈善总会的募捐、收据、阳光超市与救助券平台。金额一律以分（fen）为单位的整数；错误一律为 RFC 9457 application/problem+json。",
        version = "1.0.0"
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "运行状态"),
        (name = "identity", description = "登录与账户"),
        (name = "reference", description = "基础数据：行政区划、阳光超市、品牌项目、规划目标"),
        (name = "fundraising", description = "募捐：活动、认捐、到账、基金、单位名单"),
        (name = "receipts", description = "捐赠收据：开具、作废、换开、验证"),
        (name = "audit", description = "审计日志"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
