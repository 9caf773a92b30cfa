"""The notification socket. It relays; it never writes domain data."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .publish import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "unread": await self._unread_count(user.pk)})

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def notification_message(self, event):
        await self.send_json({"type": "notification", **event["message"]})

    @database_sync_to_async
    def _unread_count(self, user_id: int) -> int:
        from .models import Notification

        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
