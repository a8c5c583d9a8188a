//! New request ids.

use std::collections::HashSet;

use crate::mail::message;
use crate::store::Requests;

/// 8 hex characters, not used by a stored request nor earlier in a batch.
pub(super) fn new_request_id(requests: &Requests, reserved: &HashSet<String>) -> String {
    loop {
        let id = message::random_hex(4);
        if !requests.contains(&id) && !reserved.contains(&id) {
            return id;
        }
    }
}
