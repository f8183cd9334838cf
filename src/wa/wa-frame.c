/* placeholder */
typedef int wa_frame_placeholder;
