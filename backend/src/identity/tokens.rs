//! Access tokens: short-lived JWTs (HS256) carrying the user's role and binding.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::Role;
use super::revoked::RevokedSessions;
use crate::error::{AppError, AuthFailure};

const ISSUER: &str = "sunshine";
const ACCESS: &str = "access";

impl Claims {
    /// The name to show a person: their 称呼, or the sign-in name when none is known.
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.name
        } else {
            &self.display_name
        }
    }
}

/// What an access token says about its holder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The user's sign-in name.
    pub name: String,
    /// The name the person gave (称呼), shown in the header; empty in tokens made before.
    #[serde(default, rename = "dn", skip_serializing_if = "String::is_empty")]
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// Bound store, for store staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Bound region, for caseworkers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// Bound work unit, for unit coordinators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Always `sunshine`.
    pub iss: String,
    /// Always `access`, so that no other signed thing passes as a session.
    pub typ: String,
    /// The session (its refresh tokens' family): signing out refuses its tokens at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Signs and checks access tokens with one key.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_seconds: i64,
    revoked: Arc<RevokedSessions>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl_seconds", &self.ttl_seconds)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from the secret; tokens live `ttl_seconds`.
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl_seconds,
            revoked: Arc::new(RevokedSessions::new(ttl_seconds)),
        })
    }

    /// The sessions signed out, which `verify` refuses.
    pub fn revoked(&self) -> &Arc<RevokedSessions> {
        &self.revoked
    }

    /// How long an access token lives.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Signs an access token for these claims, stamping its times.
    pub fn issue(&self, mut claims: Claims) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        claims.iat = now;
        claims.exp = now + self.ttl_seconds;
        claims.iss = ISSUER.to_owned();
        claims.typ = ACCESS.to_owned();
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    /// Checks a token's signature, algorithm, issuer, kind and time.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthFailure> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthFailure::Expired,
                _ => AuthFailure::Invalid,
            })?;
        if data.claims.typ != ACCESS {
            return Err(AuthFailure::Invalid);
        }
        if data
            .claims
            .sid
            .as_deref()
            .is_some_and(|sid| self.revoked.is_revoked(sid))
        {
            return Err(AuthFailure::SignedOut);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            sub: "u1".into(),
            name: "finance".into(),
            display_name: "示例财务".into(),
            role: Role::Finance,
            store_id: None,
            region_code: None,
            unit_id: None,
            iat: 0,
            exp: 0,
            iss: String::new(),
            typ: String::new(),
            sid: None,
        }
    }

    #[test]
    fn an_issued_token_verifies() {
        let keys = TokenKeys::new(&[1u8; 32], 60).expect("keys");
        let token = keys.issue(claims()).expect("issue");
        let back = keys.verify(&token).expect("verify");
        assert_eq!(back.role, Role::Finance);
    }

    #[test]
    fn a_token_signed_with_another_key_is_invalid() {
        let mine = TokenKeys::new(&[1u8; 32], 60).expect("keys");
        let theirs = TokenKeys::new(&[2u8; 32], 60).expect("keys");
        let token = theirs.issue(claims()).expect("issue");
        assert_eq!(mine.verify(&token), Err(AuthFailure::Invalid));
    }

    #[test]
    fn an_expired_token_says_so() {
        let keys = TokenKeys::new(&[1u8; 32], -120).expect("keys");
        let token = keys.issue(claims()).expect("issue");
        assert_eq!(keys.verify(&token), Err(AuthFailure::Expired));
    }
}
