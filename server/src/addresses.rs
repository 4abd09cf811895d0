//! The visitor's address (the peer, or behind a trusted load balancer the hop it added), and
//! the per-address limit kept in each node's memory: staff sign-in attempts. IPv6 visitors are
//! counted by their /64; addresses not seen for a while are forgotten. (The limits on SMS codes
//! are counted in the database, see `app::ssr::code`.)

use app::ssr::code::address_key;
use axum::http::HeaderMap;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Sign-in attempts from one address per minute (an office shares one address; each account
/// also locks after five wrong passwords).
pub const STAFF_LOGINS_PER_MINUTE: u32 = 20;

/// A request from this portal's own network (loopback or private addresses) that did not come
/// through the load balancer: what may read `/metrics` and copy the search index.
pub fn internal(peer: IpAddr, headers: &HeaderMap) -> bool {
    let private = match peer {
        IpAddr::V4(a) => a.is_loopback() || a.is_private(),
        IpAddr::V6(a) => a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00,
    };
    private && !headers.contains_key("x-forwarded-for") && !headers.contains_key("forwarded")
}

#[derive(Clone)]
pub struct Addresses {
    staff_logins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trusted_proxies: Arc<Vec<IpAddr>>,
}

impl Addresses {
    pub fn new(trusted_proxies: Vec<IpAddr>) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(STAFF_LOGINS_PER_MINUTE).unwrap_or(NonZeroU32::MIN));
        Addresses { staff_logins: Arc::new(RateLimiter::keyed(quota)), trusted_proxies: Arc::new(trusted_proxies) }
    }

    /// The client's address: the peer, unless the peer is a trusted load balancer; then the
    /// last address in `X-Forwarded-For` that is not one of ours (earlier entries are whatever
    /// the client chose to send).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded =
            headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
        let hops: Vec<IpAddr> = forwarded.filter_map(|a| a.trim().parse().ok()).collect();
        hops.into_iter().rev().find(|a| !self.trusted_proxies.contains(a)).unwrap_or(peer)
    }

    /// Seconds to wait when `client` (see [`Addresses::client`]) has tried to sign in too often.
    pub fn staff_login_wait(&self, client: IpAddr) -> Option<i64> {
        self.staff_logins.check_key(&address_key(client)).err().map(|not_until| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(governor::clock::Clock::now(&clock)).as_secs() as i64 + 1
        })
    }

    /// Forgets addresses whose limits have fully recovered (called now and then).
    pub fn prune(&self) {
        self.staff_logins.retain_recent();
        self.staff_logins.shrink_to_fit();
    }

    /// Addresses remembered now.
    pub fn remembered(&self) -> usize {
        self.staff_logins.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_internal_network_is_internal() {
        let mut forwarded = HeaderMap::new();
        forwarded.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(internal("127.0.0.1".parse().unwrap(), &HeaderMap::new()));
        assert!(internal("10.1.2.3".parse().unwrap(), &HeaderMap::new()));
        assert!(!internal("203.0.113.9".parse().unwrap(), &HeaderMap::new()));
        assert!(!internal("10.1.2.3".parse().unwrap(), &forwarded), "through the balancer: public");
    }

    #[test]
    fn the_client_address_is_believed_only_from_a_trusted_balancer() {
        let balancer: IpAddr = "10.0.0.5".parse().unwrap();
        let addresses = Addresses::new(vec![balancer]);
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.9".parse().unwrap());
        assert_eq!(
            addresses.client(balancer, &headers),
            "203.0.113.9".parse::<IpAddr>().unwrap(),
            "the hop the balancer added"
        );
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(addresses.client(stranger, &headers), stranger, "anyone else's header is ignored");
        assert_eq!(addresses.client(balancer, &HeaderMap::new()), balancer);
    }

    #[test]
    fn an_ipv6_network_is_one_address_and_is_forgotten_once_recovered() {
        let addresses = Addresses::new(Vec::new());
        for i in 0..STAFF_LOGINS_PER_MINUTE {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            assert_eq!(addresses.staff_login_wait(ip), None);
        }
        let another_in_the_same_64: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(addresses.staff_login_wait(another_in_the_same_64).is_some(), "the /64 is one visitor");
        let next_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(addresses.staff_login_wait(next_64), None);
        assert_eq!(addresses.remembered(), 2);
    }
}
