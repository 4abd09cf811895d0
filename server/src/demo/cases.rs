//! Demo cases: a year of inquiries, complaints and disclosure requests across the departments,
//! with acceptance, transfers, extensions, answers on time and late, escalations and reopenings,
//! so the public figures and the staff inbox have something real to show.

use super::people::Person;
use super::rng::Rng;
use super::{date, stamp};
use app::domain::{Calendar, CaseKind, Deadlines};
use app::ssr::db::bulk::Val;

pub(super) struct Department {
    pub id: i64,
    pub name: &'static str,
    pub phone: &'static str,
}

pub(super) struct Item {
    pub id: i64,
    pub name: &'static str,
    pub department: usize,
}

pub(super) struct CaseRows {
    pub cases: Vec<Vec<Val>>,
    pub events: Vec<Vec<Val>>,
    pub sequences: Vec<Vec<Val>>,
    /// The first answered public case and its filer's phone.
    pub example: Option<(String, app::domain::Phone)>,
}

const CASES: usize = 160;

/// (day, kind, from department, to department, note) of one step of a case.
type Event = (i64, &'static str, Option<i64>, Option<i64>, String);

fn description(kind: CaseKind, item: Option<&str>, township: &str, rng: &mut Rng) -> String {
    let item = item.unwrap_or("补贴");
    match kind {
        CaseKind::Inquiry => rng
            .pick(&[
                format!("请问{item}的申领条件是什么？需要准备哪些材料，到哪里办理？"),
                format!("想了解{item}今年的补贴标准和发放时间，村里说还没有通知。"),
                format!("我家老人户口在{township}，请问能不能享受{item}？"),
            ])
            .clone(),
        CaseKind::Complaint => rng
            .pick(&[
                format!("{item}这一期到现在还没有到账，村里说已经报上去了，请帮忙核实。"),
                format!("公示名单上有我的{item}，但社保卡里没有收到这笔钱。"),
                format!("我家符合{item}条件，申请后一直没有结果，也没人告诉原因。"),
            ])
            .clone(),
        CaseKind::Disclosure => format!("申请公开本年度{township}{item}的发放人数、资金总额和审批依据。"),
    }
}

fn reply(kind: CaseKind, item: Option<&str>, d: &Department) -> String {
    let item = item.unwrap_or("相关补贴");
    match kind {
        CaseKind::Inquiry => format!(
            "您好，{item}按本县政策清单规定的标准和周期发放。申领请向所在村（社区）提出，经乡镇审核、{}审批后直接发放到本人社会保障卡。详情可致电{}。",
            d.name, d.phone
        ),
        CaseKind::Complaint => format!(
            "经核实，您反映的{item}因社保卡金融功能未激活，银行退回。已联系您激活并重新发放，请在“查询我的补贴”中查看到账情况。如仍有问题请致电{}。",
            d.phone
        ),
        CaseKind::Disclosure => format!("您申请公开的{item}发放情况已在本平台“发放公示”栏目按乡镇、村公开，可查看和下载；审批依据见“政策清单”中的政策依据文件。"),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn make_cases(
    rng: &mut Rng,
    vault: &app::ssr::Vault,
    people: &[Person],
    villages: &[(i64, usize)],
    townships: &[(i64, String)],
    items: &[Item],
    departments: &[Department],
    finance: usize,
    calendar: &Calendar,
    last_day: i64,
    salt: u64,
) -> CaseRows {
    let deadlines = Deadlines::default();
    let first_day = app::domain::date::days_from_civil(super::END.0, 1, 5);
    let mut filed_days: Vec<i64> = (0..CASES)
        .map(|_| loop {
            let d = rng.between(first_day, last_day);
            if calendar.is_working_day(d) {
                break d;
            }
        })
        .collect();
    filed_days.sort_unstable();
    let with_phone: Vec<&Person> = people.iter().filter(|p| p.phone.is_some()).collect();
    let mut rows = CaseRows { cases: Vec::new(), events: Vec::new(), sequences: Vec::new(), example: None };
    let mut per_day: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (n, filed) in filed_days.into_iter().enumerate() {
        let id = n as i64 + 1;
        let sequence = {
            let count = per_day.entry(filed).or_insert(0);
            *count += 1;
            *count
        };
        let person = *rng.pick(&with_phone);
        let phone = person.phone.as_ref().map(|p| p.as_str()).unwrap_or_default();
        let item = (!rng.chance(120)).then(|| rng.pick(items));
        let kind = *rng.weighted(&[(50, CaseKind::Inquiry), (35, CaseKind::Complaint), (15, CaseKind::Disclosure)]);
        let dept_index = item.map_or(finance, |i| i.department);
        let dept = &departments[dept_index];
        let (township_id, township_name) = &townships[person.township];
        let mut deadline = calendar.add_working_days(filed, deadlines.days(kind));
        let mut events: Vec<Event> = Vec::new();
        // Some arrive at the wrong department first and are sent on.
        let transferred = rng.chance(120);
        let first_dept = if transferred {
            departments[(dept_index + 1 + rng.below(departments.len() as u64 - 1) as usize) % departments.len()].id
        } else {
            dept.id
        };
        events.push((filed, "filed", None, Some(first_dept), String::new()));
        let mut day = filed;
        if transferred {
            day = calendar.add_working_days(day, 1);
            events.push((
                day,
                "transferred",
                Some(first_dept),
                Some(dept.id),
                format!("经核实，该事项由{}主管，转交办理。", dept.name),
            ));
        }
        let age = last_day - filed;
        let mut status = "open";
        let (mut reply_text, mut answered_on, mut on_time, mut extended, mut reopened, mut escalated) =
            (None, None, None, false, false, false);
        if age >= 1 {
            day = calendar.add_working_days(day, 1).min(last_day);
            events.push((day, "accepted", None, None, String::new()));
            status = "accepted";
        }
        if kind != CaseKind::Inquiry && age > 10 && rng.chance(80) {
            deadline = calendar.add_working_days(deadline, deadlines.days(kind));
            extended = true;
            events.push((
                day + 1,
                "extended",
                None,
                None,
                format!("需向乡镇和代发银行逐笔核实，依规延期（办理期限延至{}）。", date(deadline)),
            ));
        }
        // Most are answered within their time; a few late; the newest are still being handled.
        let working = calendar.working_days_between(filed, deadline);
        let answer_after = if rng.chance(150) { working + rng.between(1, 6) } else { rng.between(1, working.max(1)) };
        let answer_day = calendar.add_working_days(filed, answer_after as u32);
        if answer_day > deadline && deadline < last_day {
            escalated = true;
            events.push((deadline + 1, "escalated", Some(dept.id), None, String::new()));
        }
        if answer_day <= last_day {
            let text = reply(kind, item.map(|i| i.name), dept);
            events.push((answer_day, "replied", None, None, text.clone()));
            status = "answered";
            reply_text = Some(text);
            answered_on = Some(answer_day);
            on_time = Some(answer_day <= deadline);
            if answer_day + 10 <= last_day && rng.chance(40) {
                // Reopened once by the filer, then answered again.
                reopened = true;
                let again = answer_day + 3;
                deadline = calendar.add_working_days(again, deadlines.days(kind));
                events.push((again, "reopened", None, Some(dept.id), "对答复不满意，钱还是没有到账。".into()));
                let second = calendar.add_working_days(again, 4);
                if second <= last_day {
                    events.push((
                        second,
                        "replied",
                        None,
                        None,
                        format!("已再次核实并于{}重新发放，请查收。", date(second)),
                    ));
                    answered_on = Some(second);
                    on_time = Some(second <= deadline);
                } else {
                    status = "open";
                    reply_text = None;
                    answered_on = None;
                    on_time = None;
                }
                escalated = false;
            }
            if status == "answered" && answered_on.is_some_and(|a| a + 5 <= last_day) && rng.chance(500) {
                let closed = answered_on.unwrap_or(answer_day) + 5;
                events.push((closed, "closed", None, None, String::new()));
                status = "closed";
            }
        } else if deadline < last_day {
            escalated = true;
            events.push((deadline + 1, "escalated", Some(dept.id), None, String::new()));
        }
        let village = villages.get(person.village).map(|(vid, _)| *vid);
        let anonymous = rng.chance(200);
        // The demo's random part follows from the case (the generator's draws stay as they were).
        let no = app::domain::cases::tracking_no(
            &date(filed),
            sequence,
            ((filed as u64 * 7919 + sequence as u64 * 104_729 + id as u64 * 31 + salt) % 1_000_000) as u32,
        );
        if rows.example.is_none() && status == "answered" && !anonymous {
            rows.example = person.phone.clone().map(|p| (no.clone(), p));
        }
        rows.cases.push(vec![
            id.into(),
            no.into(),
            kind.code().into(),
            "form".into(),
            item.map(|i| i.id).into(),
            Val::Int(None),
            (*township_id).into(),
            village.into(),
            dept.id.into(),
            status.into(),
            description(kind, item.map(|i| i.name), township_name, rng).into(),
            person.name.clone().into(),
            vault.encrypt(phone).into(),
            vault.lookup_hash(phone).into(),
            i64::from(anonymous).into(),
            stamp(filed, 2 * 3600).into(),
            date(filed).into(),
            date(deadline).into(),
            i64::from(extended).into(),
            i64::from(reopened).into(),
            i64::from(escalated && status != "answered" && status != "closed").into(),
            reply_text.into(),
            answered_on.map(date).into(),
            on_time.map(i64::from).into(),
            (status == "closed").then(|| stamp(answered_on.unwrap_or(filed) + 5, 3 * 3600)).into(),
        ]);
        for (i, (day, kind, from, to, note)) in events.into_iter().enumerate() {
            rows.events.push(vec![
                (rows.events.len() as i64 + 1).into(),
                id.into(),
                kind.into(),
                from.into(),
                to.into(),
                Val::Int(None),
                note.into(),
                stamp(day, 3600 + i as i64 * 600).into(),
            ]);
        }
    }
    rows.sequences = per_day.into_iter().map(|(day, n)| vec![date(day).into(), n.into()]).collect();
    rows
}

pub(super) const EVENT_COLUMNS: &[&str] =
    &["id", "case_id", "kind", "from_department_id", "to_department_id", "staff_id", "note", "at"];
