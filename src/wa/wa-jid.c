/* placeholder */
typedef int wa_jid_placeholder;
