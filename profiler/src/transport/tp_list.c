/* rp_transport_list: serial ports and rramprof USB devices in one array. */
#include <stdlib.h>
#include <string.h>

#include "rp_transport_priv.h"

int rp_transport_list_push(rp_port_list_t *list, const rp_port_info_t *info)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        rp_port_info_t *p = realloc(list->items, cap * sizeof *p);
        if (!p)
            return RP_ERR_NOSPACE;
        list->items = p;
        list->cap = cap;
    }
    list->items[list->count++] = *info;
    return RP_OK;
}

int rp_transport_list(rp_port_info_t **out, size_t *count)
{
    if (!out || !count)
        return RP_ERR_ARG;
    *out = NULL;
    *count = 0;
    rp_port_list_t list = { NULL, 0, 0 };
    int rc = rp_transport_list_serial(&list);
    if (rc == RP_OK)
        rc = rp_transport_list_usb(&list);
    if (rc != RP_OK) {
        free(list.items);
        return rc;
    }
    *out = list.items;
    *count = list.count;
    return RP_OK;
}
