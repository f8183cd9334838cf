-- supabase/migrations/20261206100700_contacts_created_twice.sql — two
-- devices that save the same customer keep what each knew.
--
-- A contact's id is derived from the tenant and the number, so two
-- devices that save one number offline write one row. The second
-- creation (base_version 0 against a live row it never saw) names every
-- column as changed, and the per-field merge of sync_stamp would take
-- them all: the first device's name, notes, tags and fields would be
-- lost. Here the row the server had first keeps its values and gains
-- the second device's where it has none: the name when it has none, the
-- notes after its own (unless one holds the other), the union of tags
-- and of custom fields (its own value of a field both have). Fires
-- before the stamp trigger (triggers fire in name order); a replay is
-- then still told apart by sync_stamp, which keeps the row as it is.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create function private.contacts_merge_created_twice() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  upserted boolean := current_setting('xender_in.upserting_contact', true) = new.id::text;
begin
  perform set_config('xender_in.upserting_contact', '', true);
  if upserted and coalesce(new.base_version, 0) = 0 and old.version > 0
     and not old.deleted and not new.deleted
     and new.last_op_id is distinct from old.last_op_id
     and not exists (select 1 from private.applied_ops o
                     where o.master_user_id = old.master_user_id and o.op_id = new.last_op_id) then
    new.name := case when old.name = '' then new.name else old.name end;
    new.notes := case
      when coalesce(new.notes, '') = '' or strpos(coalesce(old.notes, ''), new.notes) > 0 then old.notes
      when coalesce(old.notes, '') = '' or strpos(new.notes, old.notes) > 0 then new.notes
      else left(old.notes || E'\n' || new.notes, 10000) end;
    new.tags := (select coalesce(array_agg(t.tag order by t.first), '{}')
                 from (select u.tag, min(u.n) as first
                       from unnest(old.tags || new.tags) with ordinality as u(tag, n)
                       group by u.tag order by first limit 100) t);
    new.custom_fields := new.custom_fields || old.custom_fields;
    new.lid := coalesce(old.lid, new.lid);
  end if;
  return new;
end
$$;

create trigger contacts_merge_created_twice before update on public.contacts
  for each row execute function private.contacts_merge_created_twice();

-- Only an upsert is a creation that may meet a row it never saw: an
-- update by filter (a PATCH) also carries base_version 0 when its row
-- was created with it, and must change what it names and nothing else.
-- PostgreSQL runs an upsert's row through the BEFORE INSERT triggers
-- before it finds the conflict, so the row is noted there, after the
-- stamp (which may drop it), and the note is cleared once the row is
-- inserted or merged; it lives only as long as the transaction.
create function private.contacts_note_upsert() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform set_config('xender_in.upserting_contact',
                     case when tg_when = 'BEFORE' then new.id::text else '' end, true);
  return new;
end
$$;

create trigger contacts_upsert_note before insert on public.contacts
  for each row execute function private.contacts_note_upsert();
create trigger contacts_upsert_noted after insert on public.contacts
  for each row execute function private.contacts_note_upsert();

revoke execute on function private.contacts_note_upsert() from public;

-- Only the trigger calls it.
revoke execute on function private.contacts_merge_created_twice() from public;
