"""Contains all the data models used in inputs/outputs"""

from .attachment import Attachment
from .batch_common import BatchCommon
from .batch_item import BatchItem
from .batch_matching_mode import BatchMatchingMode
from .batch_result import BatchResult
from .chat_id_data import ChatIdData
from .content import Content
from .custom_data import CustomData
from .custom_request import CustomRequest
from .email_subscription import EmailSubscription
from .error_response import ErrorResponse
from .format_ import Format
from .import_and_start_batch_request import ImportAndStartBatchRequest
from .import_and_start_batch_task_request import ImportAndStartBatchTaskRequest
from .import_flags import ImportFlags
from .import_profile_request import ImportProfileRequest
from .matching_fields import MatchingFields
from .notify_subscription import NotifySubscription
from .other_channel_subscription import OtherChannelSubscription
from .phone_data import PhoneData
from .profile_data import ProfileData
from .profile_imported import ProfileImported
from .profile_matching_mode import ProfileMatchingMode
from .profile_ref import ProfileRef
from .push_subscription import PushSubscription
from .sms_subscription import SmsSubscription
from .subscription_common import SubscriptionCommon
from .subscription_custom_fields import SubscriptionCustomFields
from .subscription_filter import SubscriptionFilter
from .task_accepted import TaskAccepted
from .task_result import TaskResult
from .task_status import TaskStatus
from .task_status_data import TaskStatusData
from .task_status_request import TaskStatusRequest
from .telegram_bot_subscription import TelegramBotSubscription
from .timeout import Timeout
from .trigger_launch import TriggerLaunch
from .trigger_matching_value import TriggerMatchingValue
from .viber_subscription import ViberSubscription
from .whatsapp_subscription import WhatsappSubscription
from .workflow_import_and_start_batch_task_request import WorkflowImportAndStartBatchTaskRequest

__all__ = (
    "Attachment",
    "BatchCommon",
    "BatchItem",
    "BatchMatchingMode",
    "BatchResult",
    "ChatIdData",
    "Content",
    "CustomData",
    "CustomRequest",
    "EmailSubscription",
    "ErrorResponse",
    "Format",
    "ImportAndStartBatchRequest",
    "ImportAndStartBatchTaskRequest",
    "ImportFlags",
    "ImportProfileRequest",
    "MatchingFields",
    "NotifySubscription",
    "OtherChannelSubscription",
    "PhoneData",
    "ProfileData",
    "ProfileImported",
    "ProfileMatchingMode",
    "ProfileRef",
    "PushSubscription",
    "SmsSubscription",
    "SubscriptionCommon",
    "SubscriptionCustomFields",
    "SubscriptionFilter",
    "TaskAccepted",
    "TaskResult",
    "TaskStatus",
    "TaskStatusData",
    "TaskStatusRequest",
    "TelegramBotSubscription",
    "Timeout",
    "TriggerLaunch",
    "TriggerMatchingValue",
    "ViberSubscription",
    "WhatsappSubscription",
    "WorkflowImportAndStartBatchTaskRequest",
)
