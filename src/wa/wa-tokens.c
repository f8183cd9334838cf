/* placeholder */
typedef int wa_tokens_placeholder;
