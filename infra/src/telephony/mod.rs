//! Carriers. One `Carrier` trait over Twilio and Telnyx; each adapter is split into HTTP
//! plumbing (`client.rs`), pure wire <-> domain conversions (`wire.rs`) and webhook
//! verification (`signature.rs`). Errors say whether a retry can help. The sandbox carrier
//! (`crate::sandbox`) speaks both wire protocols, so these adapters run in every test.

mod error;
mod http;
mod rate;
mod types;

pub mod telnyx;
pub mod twilio;

pub use error::{CarrierError, ErrorKind, WebhookError};
pub use rate::RateLimiter;
pub use types::*;

use std::future::Future;

/// What Outdial asks of a carrier. Implemented by [`twilio::TwilioClient`] and
/// [`telnyx::TelnyxClient`]; [`AnyCarrier`] picks one per carrier account.
pub trait Carrier: Send + Sync {
    /// Places an outbound call. Not retried by the adapter unless the carrier deduplicates
    /// (Telnyx `command_id`); a lost answer is reconciled from webhooks.
    fn place_call(&self, call: &PlaceCall) -> impl Future<Output = Result<PlacedCall, CarrierError>> + Send;
    /// Acts on a live call (bridge, play, speak, record, transcribe, hang up...).
    fn act(
        &self,
        call_id: &str,
        action: &CallAction,
        command_id: &str,
    ) -> impl Future<Output = Result<(), CarrierError>> + Send;
    /// Where a call stands at the carrier now, for calls whose webhooks went quiet (a final
    /// webhook the carrier gave up delivering).
    fn call_status(&self, call_id: &str) -> impl Future<Output = Result<CallSnapshot, CarrierError>> + Send;
    /// Sends an SMS or MMS.
    fn send_message(&self, msg: &SendMessage) -> impl Future<Output = Result<SentMessage, CarrierError>> + Send;
    /// Buys a number (by exact number or area code) and points its webhooks at us.
    fn buy_number(&self, req: &BuyNumber) -> impl Future<Output = Result<OwnedNumber, CarrierError>> + Send;
    /// Numbers already on the carrier account (for import).
    fn list_numbers(&self) -> impl Future<Output = Result<Vec<OwnedNumber>, CarrierError>> + Send;
    /// Points a number's voice and messaging webhooks at us.
    fn configure_number(
        &self,
        number: &OwnedNumber,
        hooks: &NumberHooks,
    ) -> impl Future<Output = Result<(), CarrierError>> + Send;
    /// Gives the number back to the carrier.
    fn release_number(&self, number: &OwnedNumber) -> impl Future<Output = Result<(), CarrierError>> + Send;
}

/// The adapter for one carrier account.
#[derive(Clone, Debug)]
pub enum AnyCarrier {
    Twilio(twilio::TwilioClient),
    Telnyx(telnyx::TelnyxClient),
}

impl AnyCarrier {
    pub fn provider(&self) -> Provider {
        match self {
            AnyCarrier::Twilio(_) => Provider::Twilio,
            AnyCarrier::Telnyx(_) => Provider::Telnyx,
        }
    }
}

macro_rules! delegate {
    ($self:ident, $c:ident => $e:expr) => {
        match $self {
            AnyCarrier::Twilio($c) => $e.await,
            AnyCarrier::Telnyx($c) => $e.await,
        }
    };
}

impl Carrier for AnyCarrier {
    async fn place_call(&self, call: &PlaceCall) -> Result<PlacedCall, CarrierError> {
        delegate!(self, c => c.place_call(call))
    }
    async fn act(&self, call_id: &str, action: &CallAction, command_id: &str) -> Result<(), CarrierError> {
        delegate!(self, c => c.act(call_id, action, command_id))
    }
    async fn call_status(&self, call_id: &str) -> Result<CallSnapshot, CarrierError> {
        delegate!(self, c => c.call_status(call_id))
    }
    async fn send_message(&self, msg: &SendMessage) -> Result<SentMessage, CarrierError> {
        delegate!(self, c => c.send_message(msg))
    }
    async fn buy_number(&self, req: &BuyNumber) -> Result<OwnedNumber, CarrierError> {
        delegate!(self, c => c.buy_number(req))
    }
    async fn list_numbers(&self) -> Result<Vec<OwnedNumber>, CarrierError> {
        delegate!(self, c => c.list_numbers())
    }
    async fn configure_number(&self, number: &OwnedNumber, hooks: &NumberHooks) -> Result<(), CarrierError> {
        delegate!(self, c => c.configure_number(number, hooks))
    }
    async fn release_number(&self, number: &OwnedNumber) -> Result<(), CarrierError> {
        delegate!(self, c => c.release_number(number))
    }
}
