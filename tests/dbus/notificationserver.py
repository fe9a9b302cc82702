#!/usr/bin/env python3
"""A freedesktop.org notification service for tests (Desktop Notifications Specification 1.2), on the session bus
of dbus-run-session. Each call is printed as one JSON line on standard output; the line "invoke ID ACTION" on
standard input makes it emit ActionInvoked(ID, ACTION), as a desktop does when the notification is clicked."""

import json
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def say(record):
    print(json.dumps(record, ensure_ascii=False), flush=True)


class Notifications(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, PATH)
        self.next_id = 1

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "body-markup", "actions"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("pigeon-test", "pigeon", "1", "1.2")

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        if replaces_id:
            nid = int(replaces_id)
        else:
            nid = self.next_id
            self.next_id += 1
        say({"method": "Notify", "id": nid, "app_name": str(app_name), "replaces_id": int(replaces_id),
             "app_icon": str(app_icon), "summary": str(summary), "body": str(body),
             "actions": [str(a) for a in actions], "hints": {str(k): str(v) for k, v in hints.items()},
             "expire_timeout": int(expire_timeout)})
        return dbus.UInt32(nid)

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        say({"method": "CloseNotification", "id": int(nid)})
        self.NotificationClosed(nid, 3)

    @dbus.service.signal(NAME, signature="us")
    def ActionInvoked(self, nid, action):
        pass

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    if bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE) != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
        print("notificationserver: the name is taken", file=sys.stderr)
        return 1
    service = Notifications(bus)
    loop = GLib.MainLoop()

    def on_input(channel, condition):
        line = sys.stdin.readline()
        if not line:
            loop.quit()
            return False
        words = line.split()
        if len(words) == 3 and words[0] == "invoke":
            service.ActionInvoked(dbus.UInt32(int(words[1])), words[2])
            service.NotificationClosed(dbus.UInt32(int(words[1])), dbus.UInt32(2))
        return True

    GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_input)
    say({"method": "ready"})
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
