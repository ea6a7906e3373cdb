//! Payments as finance records them and as everyone else sees them: the channel the
//! money came by, a new payment and the checks of it, a recorded payment's view.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::entities::payment;
use super::pledges::normalize_reference;
use crate::error::{AppError, AppResult, FieldError};

/// How the money came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 银行转账.
    BankTransfer,
    /// 现金.
    Cash,
    /// 微信支付 (with its transaction reference).
    WechatPay,
    /// 支付宝 (with its transaction reference).
    Alipay,
    /// 工资代扣.
    Payroll,
}

impl Channel {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::BankTransfer => "bank_transfer",
            Self::Cash => "cash",
            Self::WechatPay => "wechat_pay",
            Self::Alipay => "alipay",
            Self::Payroll => "payroll",
        }
    }

    /// The Chinese name of a stored channel.
    pub fn label(channel: &str) -> &'static str {
        match channel {
            "bank_transfer" => "银行转账",
            "cash" => "现金",
            "wechat_pay" => "微信支付",
            "alipay" => "支付宝",
            "payroll" => "工资代扣",
            _ => "其他",
        }
    }
}

/// Money that arrived, as finance records it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct NewPayment {
    /// Fen, at least 1.
    pub amount_fen: i64,
    /// How it came.
    pub channel: Channel,
    /// The day it arrived (not in the future).
    pub received_on: NaiveDate,
    /// The payer as the bank or channel names them.
    pub payer_reference: Option<String>,
    /// The pledge's reference code, if the payer quoted one.
    pub reference_code: Option<String>,
}

/// A payment as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaymentView {
    /// Its id.
    pub id: String,
    /// Fen; negative for a reversal.
    pub amount_fen: i64,
    /// The channel.
    pub channel: String,
    /// When the money arrived.
    pub received_on: NaiveDate,
    /// The payer's reference.
    pub payer_reference: Option<String>,
    /// The code quoted.
    pub reference_code: Option<String>,
    /// `matched`, `unmatched` or `reversal`.
    pub status: String,
    /// The pledge it pays.
    pub pledge_id: Option<String>,
    /// The campaign it counts for.
    pub campaign_id: Option<String>,
    /// The payment this one reverses.
    pub reverses_id: Option<String>,
    /// Why it was reversed.
    pub reason: Option<String>,
    /// The staff list this remittance pays.
    pub roster_id: Option<String>,
    /// For finance: why an unmatched payment did not match (a staff list's total differs),
    /// or the difference a staff list was matched with.
    pub note: Option<String>,
    /// Paid beyond what its pledge still owed, fen (the payment is kept whole).
    #[serde(default)]
    pub overpaid_fen: Option<i64>,
    /// A staff-list remittance matched by hand: its amount minus the list's total, fen.
    #[serde(default)]
    pub difference_fen: Option<i64>,
    /// A warning for the person who recorded it, in Chinese (an overpaid pledge).
    #[serde(default)]
    pub warning: Option<String>,
}

impl From<payment::Model> for PaymentView {
    fn from(p: payment::Model) -> Self {
        let status = if p.reverses_id.is_some() {
            "reversal"
        } else if p.pledge_id.is_some() || p.roster_id.is_some() {
            "matched"
        } else {
            "unmatched"
        };
        Self {
            id: p.id,
            amount_fen: p.amount_fen,
            channel: p.channel,
            received_on: p.received_on,
            payer_reference: p.payer_reference,
            reference_code: p.reference_code,
            status: status.into(),
            pledge_id: p.pledge_id,
            campaign_id: p.campaign_id,
            reverses_id: p.reverses_id,
            reason: p.reason,
            roster_id: p.roster_id,
            note: None,
            overpaid_fen: None,
            difference_fen: None,
            warning: None,
        }
    }
}

/// Checks a new payment; its payer reference and the reference code it quotes, tidied.
pub(super) fn check(new: &NewPayment, max_fen: i64) -> AppResult<(Option<String>, Option<String>)> {
    let mut errors = Vec::new();
    if !(1..=max_fen).contains(&new.amount_fen) {
        errors.push(FieldError::new(
            "amount_fen",
            format!("金额须在 0.01 元到 {} 之间", crate::kernel::Fen(max_fen)),
        ));
    }
    let today = Utc::now().date_naive();
    if new.received_on > today {
        errors.push(FieldError::new("received_on", "到账日期不能晚于今天"));
    }
    if new.received_on < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today) {
        errors.push(FieldError::new("received_on", "到账日期过早"));
    }
    let payer = bounded(
        "payer_reference",
        new.payer_reference.as_deref(),
        &mut errors,
    );
    let code = bounded("reference_code", new.reference_code.as_deref(), &mut errors)
        .map(|c| normalize_reference(&c));
    if errors.is_empty() {
        Ok((payer, code))
    } else {
        Err(AppError::Validation(errors))
    }
}

fn bounded(field: &str, value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if let Err(message) = crate::kernel::text::typed("", value, 1..=100) {
        errors.push(FieldError::new(field, message));
        return None;
    }
    Some(value.to_owned())
}
