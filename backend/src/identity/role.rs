//! The roles of the platform and what each may be bound to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role (角色). A user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Federation admin (慈善总会管理员): campaigns, projects, stores, users.
    Admin,
    /// Finance officer (财务): confirms money, issues and voids receipts.
    Finance,
    /// Store staff (阳光超市店员), bound to one store.
    StoreStaff,
    /// Caseworker (民政/社区工作人员), bound to a region.
    Caseworker,
    /// Work-unit coordinator (单位联络员), bound to a work unit.
    UnitCoordinator,
    /// Auditor (审计): reads everything, writes nothing.
    Auditor,
    /// Donor (捐赠人).
    Donor,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Finance,
        Role::StoreStaff,
        Role::Caseworker,
        Role::UnitCoordinator,
        Role::Auditor,
        Role::Donor,
    ];

    /// The stable English name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::StoreStaff => "store_staff",
            Role::Caseworker => "caseworker",
            Role::UnitCoordinator => "unit_coordinator",
            Role::Auditor => "auditor",
            Role::Donor => "donor",
        }
    }

    /// The Chinese name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "慈善总会管理员",
            Role::Finance => "财务",
            Role::StoreStaff => "阳光超市店员",
            Role::Caseworker => "社区工作人员",
            Role::UnitCoordinator => "单位联络员",
            Role::Auditor => "审计",
            Role::Donor => "捐赠人",
        }
    }

    /// What this role must be bound to, if anything.
    pub fn binding(self) -> Option<Binding> {
        match self {
            Role::StoreStaff => Some(Binding::Store),
            Role::Caseworker => Some(Binding::Region),
            Role::UnitCoordinator => Some(Binding::Unit),
            _ => None,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or(())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a role is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// One store (`store_id`).
    Store,
    /// One region and everything below it (`region_code`).
    Region,
    /// One work unit and its sub-units (`unit_id`).
    Unit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn bound_roles_name_their_binding() {
        assert_eq!(Role::StoreStaff.binding(), Some(Binding::Store));
        assert_eq!(Role::Caseworker.binding(), Some(Binding::Region));
        assert_eq!(Role::UnitCoordinator.binding(), Some(Binding::Unit));
        assert_eq!(Role::Auditor.binding(), None);
    }
}
