//! The demo county's people: households and beneficiaries with their ID numbers, phones, cards
//! and custodians, and the few worth trying the self-check with.

use super::rng::Rng;
use super::{invalid, names, payments::PaymentRow, DemoError, DemoSummary, Example, Table, END};
use app::domain::{mask, BankAccount, IdNumber, Phone};
use app::ssr::Vault;
use std::collections::{BTreeMap, HashSet};

/// A person of the county, as generated.
pub(super) struct Person {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) ethnicity: &'static str,
    pub(super) id_number: IdNumber,
    pub(super) phone: Option<Phone>,
    pub(super) age: u32,
    pub(super) village: usize,
    pub(super) township: usize,
    pub(super) household: i64,
    pub(super) head: i64,
    pub(super) card_status: &'static str,
    pub(super) bank: i64,
    pub(super) account: Option<BankAccount>,
    pub(super) custodian: Option<(&'static str, i64)>,
}

/// `count` people in households spread over the villages.
pub(super) fn make_people(
    rng: &mut Rng,
    county_code: &str,
    count: usize,
    villages: &[(i64, usize)],
) -> Result<Vec<Person>, DemoError> {
    let mut people: Vec<Person> = Vec::with_capacity(count + 8);
    let mut ids = HashSet::with_capacity(count);
    let mut phones = HashSet::with_capacity(count);
    let mut household = 0i64;
    const SIZES: &[(u32, usize)] = &[(12, 1), (25, 2), (25, 3), (22, 4), (12, 5), (4, 6)];
    const BANK_WEIGHTS: &[(u32, i64)] = &[(70, 1), (12, 2), (10, 3), (5, 4), (3, 5)];
    while people.len() < count {
        household += 1;
        let village = (household as usize * 7 + rng.below(5) as usize) % villages.len();
        let size = *rng.weighted(SIZES);
        let head_age = rng.between(28, 86) as u32;
        let head_male = rng.chance(700);
        let head_id = people.len() as i64 + 1;
        let mut members: Vec<(u32, bool)> = vec![(head_age, head_male)];
        if size >= 2 {
            members.push(((head_age as i64 + rng.between(-5, 5)).clamp(20, 100) as u32, !head_male));
        }
        for _ in 2..size.min(5) {
            let gap = rng.between(22, 34) as u32;
            members.push((head_age.saturating_sub(gap).max(1), rng.chance(520)));
        }
        if size >= 6 && head_age < 70 {
            members.push(((head_age + rng.between(24, 30) as u32).min(104), rng.chance(400)));
        }
        for (age, male) in members {
            let id = people.len() as i64 + 1;
            let (birth_y, birth_m, birth_d) =
                (END.0 - age as i32, rng.between(1, 12) as u32, rng.between(1, 28) as u32);
            let id_number = loop {
                let seq = rng.below(500) as u32 * 2 + u32::from(male);
                let candidate =
                    IdNumber::from_parts(county_code, birth_y as u32, birth_m, birth_d, seq).map_err(invalid)?;
                if ids.insert(candidate.as_str().to_string()) {
                    break candidate;
                }
            };
            let (name, ethnicity) = names::person_name(rng, male);
            let phone = if age >= 16 && rng.chance(920) {
                loop {
                    let candidate = format!("1{}{:09}", rng.pick(&["3", "5", "7", "8", "9"]), rng.below(1_000_000_000));
                    if phones.insert(candidate.clone()) {
                        break Some(Phone::parse(&candidate).map_err(invalid)?);
                    }
                }
            } else {
                None
            };
            let card_status = match rng.below(1000) {
                0..=949 => "activated",
                950..=979 => "issued",
                _ => "not_issued",
            };
            let bank = *rng.weighted(BANK_WEIGHTS);
            let account = (card_status != "not_issued")
                .then(|| {
                    BankAccount::with_check_digit(&format!(
                        "62{:04}{:012}",
                        1000 + bank * 1111,
                        rng.below(10_000_000_000_000) / 10
                    ))
                })
                .transpose()
                .map_err(invalid)?;
            // A few frail elderly people have a relative keep their card (代管), and a very few
            // people without an ID card have someone collect for them (代为领取).
            let custodian = if id != head_id && age >= 75 && rng.chance(40) {
                Some(("custodian", head_id))
            } else if id != head_id && rng.chance(3) {
                Some(("proxy_recipient", head_id))
            } else {
                None
            };
            people.push(Person {
                id,
                name,
                ethnicity,
                id_number,
                phone,
                age,
                village,
                township: villages[village].1,
                household,
                head: head_id,
                card_status,
                bank,
                account,
                custodian,
            });
            if people.len() >= count {
                break;
            }
        }
    }
    Ok(people)
}

/// A person of one county who also lives, and is paid, in another (moved for work, or cared for
/// by a child there): the same ID number, name and phone in both counties' rolls.
#[derive(Debug, Clone)]
pub(super) struct Mover {
    pub(super) name: String,
    pub(super) ethnicity: &'static str,
    pub(super) id_number: IdNumber,
    pub(super) phone: Option<Phone>,
    pub(super) age: u32,
}

/// Up to `count` adults of working age with a phone and their own card, spread over the county.
pub(super) fn movers(people: &[Person], count: usize) -> Vec<Mover> {
    let able: Vec<&Person> = people
        .iter()
        .filter(|p| (20..=70).contains(&p.age) && p.phone.is_some() && p.account.is_some() && p.custodian.is_none())
        .collect();
    let step = (able.len() / count.max(1)).max(1);
    able.iter()
        .step_by(step)
        .take(count)
        .map(|p| Mover {
            name: p.name.clone(),
            ethnicity: p.ethnicity,
            id_number: p.id_number.clone(),
            phone: p.phone.clone(),
            age: p.age,
        })
        .collect()
}

/// Gives the movers places in this county's rolls: each takes the identity of a member (not the
/// head) of a household here, of about the same age, with a card.
pub(super) fn take_in(people: &mut [Person], movers: &[Mover]) {
    let mut taken = HashSet::new();
    for m in movers {
        let place = people.iter().position(|p| {
            p.head != p.id
                && p.account.is_some()
                && p.custodian.is_none()
                && p.age.abs_diff(m.age) <= 3
                && !taken.contains(&p.id)
        });
        if let Some(i) = place {
            let p = &mut people[i];
            taken.insert(p.id);
            p.name = m.name.clone();
            p.ethnicity = m.ethnicity;
            p.id_number = m.id_number.clone();
            p.phone = m.phone.clone();
            p.age = m.age;
        }
    }
}

/// The `households` and `beneficiaries` tables, personal data encrypted and masked as the
/// portal keeps it.
pub(super) fn tables(
    vault: &Vault,
    people: &[Person],
    villages: &[(i64, usize)],
    created: &str,
    tables: &mut Vec<Table>,
    summary: &mut DemoSummary,
) {
    let households: BTreeMap<i64, usize> = people.iter().map(|p| (p.household, p.village)).collect();
    summary.households = households.len();
    summary.beneficiaries = people.len();
    tables.push((
        "households",
        &["id", "code", "village_id"],
        households
            .iter()
            .map(|(id, v)| vec![(*id).into(), format!("HH{id:07}").into(), villages[*v].0.into()])
            .collect(),
    ));
    tables.push((
        "beneficiaries",
        app::ssr::rosters::BENEFICIARY_COLUMNS,
        people
            .iter()
            .map(|p| {
                vec![
                    p.id.into(),
                    vault.lookup_hash(p.id_number.as_str()).into(),
                    vault.encrypt(p.id_number.as_str()).into(),
                    mask::id_number(&p.id_number).into(),
                    p.name.clone().into(),
                    mask::name(&p.name).into(),
                    (if p.id_number.is_male() { "male" } else { "female" }).into(),
                    p.ethnicity.into(),
                    p.phone.as_ref().map(|ph| vault.encrypt(ph.as_str())).into(),
                    p.phone.as_ref().map(|ph| vault.lookup_hash(ph.as_str())).into(),
                    villages[p.village].0.into(),
                    p.household.into(),
                    i64::from(p.head == p.id).into(),
                    p.card_status.into(),
                    p.account.as_ref().map(|_| p.bank).into(),
                    p.account.as_ref().map(|a| vault.encrypt(a.as_str())).into(),
                    p.account.as_ref().map(|a| vault.lookup_hash(a.as_str())).into(),
                    p.account.as_ref().map(|a| a.last4().to_string()).into(),
                    p.custodian.map(|(kind, _)| kind).into(),
                    p.custodian.map(|(_, id)| id).into(),
                    0i64.into(),
                    created.into(),
                ]
            })
            .collect(),
    ));
}

/// People worth trying the self-check with: a household head, someone with a failed payment,
/// someone whose card a relative keeps. All have a phone on file.
pub(super) fn examples(people: &[Person], payments: &[PaymentRow]) -> Vec<Example> {
    let mut out = Vec::new();
    let example = |label, p: &Person| Example {
        label,
        name: p.name.clone(),
        id_number: p.id_number.clone(),
        phone: p.phone.clone().expect("examples are chosen among people with a phone"),
    };
    let paid_heads: HashSet<i64> = payments.iter().filter(|p| p.status == "paid").map(|p| p.beneficiary).collect();
    if let Some(p) = people.iter().find(|p| p.head == p.id && p.phone.is_some() && paid_heads.contains(&p.id)) {
        out.push(example("户主（家庭补贴发到本人卡上）", p));
    }
    let reissued: HashSet<i64> = payments.iter().filter_map(|p| p.reissue_of).collect();
    if let Some(p) = payments
        .iter()
        .filter(|x| x.status == "failed" && x.failure_reason == Some("card_not_activated"))
        .map(|x| &people[(x.beneficiary - 1) as usize])
        .find(|p| p.phone.is_some())
    {
        out.push(example("有发放失败（社保卡未激活）的人", p));
    }
    if let Some(p) = payments
        .iter()
        .filter(|x| reissued.contains(&x.id))
        .map(|x| &people[(x.beneficiary - 1) as usize])
        .find(|p| p.phone.is_some())
    {
        out.push(example("发放失败后已补发的人", p));
    }
    if let Some(p) = people.iter().find(|p| p.custodian.is_some() && p.phone.is_some() && paid_heads.contains(&p.head))
    {
        out.push(example("社保卡由亲属代管的人", p));
    }
    out
}
