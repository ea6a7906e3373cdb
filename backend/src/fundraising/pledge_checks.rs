//! The rules a pledge must meet before any database is asked: amounts, names, phone
//! numbers, 身份证号 and 统一社会信用代码, lengths and control characters.

use super::pledges::{DonorInput, DonorKind, PledgeRequest};
use crate::error::{AppError, FieldError};
use crate::kernel::{CreditCode, IdCardNo, Phone};

const MAX_TEXT: usize = 100;

fn text(
    field: &str,
    value: Option<&str>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => {
            errors.push(FieldError::new(field, "此项必填"));
            None
        }
        None => None,
        Some(v) => match crate::kernel::text::typed("", v, 1..=MAX_TEXT) {
            Ok(()) => Some(v.to_owned()),
            Err(message) => {
                errors.push(FieldError::new(field, message));
                None
            }
        },
    }
}

/// Whether `id` can be a row's id: 1–36 letters, digits, `-` or `_`.
fn is_id(id: &str) -> bool {
    (1..=36).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A checked donor, ready to store.
pub(super) struct CheckedDonor {
    pub(super) kind: DonorKind,
    pub(super) name: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) id_number: Option<IdCardNo>,
    pub(super) credit_code: Option<String>,
    pub(super) contact: Option<String>,
}

fn check_donor(input: &DonorInput, errors: &mut Vec<FieldError>) -> CheckedDonor {
    let named = input.kind != DonorKind::Anonymous;
    let name = text("donor.name", input.name.as_deref(), named, errors);
    let mut phone = None;
    let mut id_number = None;
    let mut credit_code = None;
    let mut contact = None;
    match input.kind {
        DonorKind::Individual => {
            match text("donor.phone", input.phone.as_deref(), true, errors)
                .map(|p| Phone::parse(&p))
            {
                Some(Ok(p)) => phone = Some(p.as_str().to_owned()),
                Some(Err(why)) => errors.push(FieldError::new("donor.phone", why)),
                None => {}
            }
            if let Some(raw) = text("donor.id_number", input.id_number.as_deref(), false, errors) {
                match IdCardNo::parse(&raw) {
                    Ok(id) => id_number = Some(id),
                    Err(why) => errors.push(FieldError::new("donor.id_number", why)),
                }
            }
        }
        DonorKind::Organization => {
            match text(
                "donor.credit_code",
                input.credit_code.as_deref(),
                true,
                errors,
            )
            .map(|c| CreditCode::parse(&c))
            {
                Some(Ok(c)) => credit_code = Some(c.as_str().to_owned()),
                Some(Err(why)) => errors.push(FieldError::new("donor.credit_code", why)),
                None => {}
            }
            contact = text("donor.contact", input.contact.as_deref(), false, errors);
        }
        DonorKind::Anonymous => {
            for (field, value) in [
                ("donor.name", &input.name),
                ("donor.id_number", &input.id_number),
                ("donor.credit_code", &input.credit_code),
            ] {
                if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                    errors.push(FieldError::new(field, "匿名捐赠不填写身份信息"));
                }
            }
        }
    }
    CheckedDonor {
        kind: input.kind,
        name,
        phone,
        id_number,
        credit_code,
        contact,
    }
}

/// Checks a pledge request against the rules that need no database.
pub(super) fn check(
    request: &PledgeRequest,
    max_fen: i64,
) -> Result<(CheckedDonor, Option<String>, Option<String>), AppError> {
    let mut errors = Vec::new();
    if !(1..=max_fen).contains(&request.amount_fen) {
        errors.push(FieldError::new(
            "amount_fen",
            format!("金额须在 0.01 元到 {} 之间", crate::kernel::Fen(max_fen)),
        ));
    }
    for (field, id) in [
        ("campaign_id", Some(&request.campaign_id)),
        ("project_id", request.project_id.as_ref()),
    ] {
        if id.is_some_and(|id| !is_id(id)) {
            errors.push(FieldError::new(field, "编号格式不对"));
        }
    }
    let donor = check_donor(&request.donor, &mut errors);
    if request.public_name_consent && donor.kind == DonorKind::Anonymous {
        errors.push(FieldError::new(
            "public_name_consent",
            "匿名捐赠不能在光荣榜上具名",
        ));
    }
    let public_name = text(
        "public_name",
        request.public_name.as_deref(),
        false,
        &mut errors,
    )
    .or_else(|| donor.name.clone())
    .filter(|_| request.public_name_consent);
    let receipt_title = text(
        "receipt_title",
        request.receipt_title.as_deref(),
        false,
        &mut errors,
    )
    .or_else(|| donor.name.clone())
    .filter(|_| request.receipt_requested);
    if request.receipt_requested && receipt_title.is_none() {
        errors.push(FieldError::new(
            "receipt_title",
            "匿名捐赠如需收据，请填写收据抬头",
        ));
    }
    if errors.is_empty() {
        Ok((donor, public_name, receipt_title))
    } else {
        Err(AppError::Validation(errors))
    }
}
