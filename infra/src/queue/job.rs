//! The one enum of versioned job payloads. Payloads carry ids only.

use serde::{Deserialize, Serialize};

/// Every kind of background job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Job {
    /// Mint an invitation link and email it to the invitee.
    SendInvitationEmailV1 { invitation_id: String },
    /// Mint a password-reset link and email it to the user.
    SendPasswordResetEmailV1 { reset_id: String },
    /// Parse an uploaded list and write its contacts, resuming from the last checkpoint.
    ImportContactsV1 { import_id: String },
    /// Place one dial attempt (compare-and-set, compliance gate, carrier).
    PlaceDialV1 { attempt_id: String },
    /// Send one text (compare-and-set, compliance gate, carrier).
    SendTextV1 { message_id: String },
}

impl Job {
    /// The stable kind name stored beside the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::SendInvitationEmailV1 { .. } => "SendInvitationEmailV1",
            Job::SendPasswordResetEmailV1 { .. } => "SendPasswordResetEmailV1",
            Job::ImportContactsV1 { .. } => "ImportContactsV1",
            Job::PlaceDialV1 { .. } => "PlaceDialV1",
            Job::SendTextV1 { .. } => "SendTextV1",
        }
    }

    /// How many times it is tried before it goes to the dead-letter view.
    pub fn max_attempts(&self) -> i32 {
        match self {
            // Each attempt resumes from the last checkpoint, so a few more are cheap.
            Job::ImportContactsV1 { .. } => 10,
            // The compare-and-set makes a second run a no-op once the dial is under way; more
            // tries only help a run that failed before it.
            Job::PlaceDialV1 { .. } | Job::SendTextV1 { .. } => 3,
            _ => 5,
        }
    }
}
