-- supabase/migrations/20261212100000_lid_opt_outs.sql — an opt-out from a
-- customer whose number WhatsApp hides is kept under the LID it came from.
--
-- More and more customers write from a LID ("236395184570386@lid"), an
-- opaque WhatsApp identity, before any message says their number. Their
-- messages already sync without one (incoming_messages.phone is
-- nullable, from_jid holds the LID). A "STOP" among them must be kept
-- and synced too, but a suppression event's phone took numbers only. It
-- takes a bare LID JID now as well; a number never looks like one, so no
-- campaign's lookup by number meets it. Once the device that received it
-- learns the number, it writes the number's own opt-out event.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

alter table public.suppression_events
  drop constraint suppression_events_phone_check,
  add constraint suppression_events_phone_check
    check (phone ~ '^[1-9][0-9]{6,14}$' or phone ~ '^[0-9]{1,32}@lid$');
