//! Paginated lists: `?page=&per_page=`, never an unbounded list.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 500;

/// The highest page number: far past any list's end (5 billion rows at 500 a page), and
/// low enough that the row offset it means always fits the databases' 64-bit integers.
pub const MAX_PAGE: u64 = 10_000_000;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1 (at most 10,000,000).
    pub page: Option<u64>,
    /// Items per page, 1 to 500; 100 by default.
    pub per_page: Option<u64>,
}

impl PageQuery {
    /// The page (from 0) and its size, checked.
    pub fn resolve(self) -> AppResult<(u64, u64)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(100);
        if page == 0 {
            return Err(AppError::field("page", "页码从 1 开始"));
        }
        if page > MAX_PAGE {
            return Err(AppError::field("page", format!("页码不能超过 {MAX_PAGE}")));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(AppError::field(
                "per_page",
                format!("每页条数须在 1 到 {MAX_PER_PAGE} 之间"),
            ));
        }
        Ok((page - 1, per_page))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number, from 1.
    pub page: u64,
    /// Items per page.
    pub per_page: u64,
    /// Items in the whole list.
    pub total: u64,
}

/// Runs `select` one page at a time and maps its rows: the list endpoints' one shape.
pub async fn fetch<E, T>(
    db: &sea_orm::DatabaseConnection,
    select: sea_orm::Select<E>,
    query: PageQuery,
    map: impl FnMut(E::Model) -> T,
) -> AppResult<Paged<T>>
where
    E: sea_orm::EntityTrait,
    E::Model: Sync,
{
    use sea_orm::PaginatorTrait;
    let (page, per_page) = query.resolve()?;
    let pages = select.paginate(db, per_page);
    let total = pages.num_items().await?;
    let items = pages.fetch_page(page).await?.into_iter().map(map).collect();
    Ok(Paged {
        items,
        page: page + 1,
        per_page,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_zero_and_huge_pages_are_refused() {
        assert!(
            PageQuery {
                page: Some(0),
                per_page: None
            }
            .resolve()
            .is_err()
        );
        assert!(
            PageQuery {
                page: Some(MAX_PAGE + 1),
                per_page: Some(MAX_PER_PAGE)
            }
            .resolve()
            .is_err()
        );
        assert!(
            PageQuery {
                page: None,
                per_page: Some(501)
            }
            .resolve()
            .is_err()
        );
        assert_eq!(
            PageQuery {
                page: None,
                per_page: None
            }
            .resolve()
            .ok(),
            Some((0, 100))
        );
    }
}
