from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.email_subscription import EmailSubscription
    from ..models.notify_subscription import NotifySubscription
    from ..models.other_channel_subscription import OtherChannelSubscription
    from ..models.push_subscription import PushSubscription
    from ..models.sms_subscription import SmsSubscription
    from ..models.telegram_bot_subscription import TelegramBotSubscription
    from ..models.viber_subscription import ViberSubscription
    from ..models.whatsapp_subscription import WhatsappSubscription


T = TypeVar("T", bound="ProfileData")


@_attrs_define
class ProfileData:
    """Profile fields data, including subscriptions. Besides the system fields below (names starting
    with "_", plus email and phones) any custom profile field of the database may be sent. The
    pages print no Type for these fields, only examples: their types are assumed (`x-assumed`,
    warnings only).

        Attributes:
            fname (Any | Unset): First name.
            lname (Any | Unset): Last name.
            email (Any | Unset): Email address of the profile (contact data).
            phones (Any | Unset): Phone number(s) of the profile. The v72 pages send a string, v74 an array of strings.
            bdate (Any | Unset): Birth date, RFC 3339 date-time ("1990-02-22T21:00:00Z") or date ("1990-07-06").
            sex (Any | Unset): Sex, as a numeric code (the example sends 0).
            regdate (Any | Unset): Registration date, RFC 3339 date-time or date.
            regip (Any | Unset): IP address at registration; used by detect_geo.
            ip (Any | Unset): Last known IP address; used by detect_geo.
            tz (Any | Unset): Time zone (IANA name, e.g. "Europe/Moscow").
            postal_code (Any | Unset): Postal code.
            os (Any | Unset): Operating system.
            browser (Any | Unset): Browser.
            vendor (Any | Unset): Vendor, the source the profile came from (e.g. a form).
            subscriptions (list[EmailSubscription | NotifySubscription | OtherChannelSubscription | PushSubscription |
                SmsSubscription | TelegramBotSubscription | ViberSubscription | WhatsappSubscription] | Unset): Subscriptions of
                the profile to resources. One object – one subscription.
    """

    fname: Any | Unset = UNSET
    lname: Any | Unset = UNSET
    email: Any | Unset = UNSET
    phones: Any | Unset = UNSET
    bdate: Any | Unset = UNSET
    sex: Any | Unset = UNSET
    regdate: Any | Unset = UNSET
    regip: Any | Unset = UNSET
    ip: Any | Unset = UNSET
    tz: Any | Unset = UNSET
    postal_code: Any | Unset = UNSET
    os: Any | Unset = UNSET
    browser: Any | Unset = UNSET
    vendor: Any | Unset = UNSET
    subscriptions: (
        list[
            EmailSubscription
            | NotifySubscription
            | OtherChannelSubscription
            | PushSubscription
            | SmsSubscription
            | TelegramBotSubscription
            | ViberSubscription
            | WhatsappSubscription
        ]
        | Unset
    ) = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.email_subscription import EmailSubscription  # noqa: PLC0415
        from ..models.notify_subscription import NotifySubscription  # noqa: PLC0415
        from ..models.push_subscription import PushSubscription  # noqa: PLC0415
        from ..models.sms_subscription import SmsSubscription  # noqa: PLC0415
        from ..models.telegram_bot_subscription import TelegramBotSubscription  # noqa: PLC0415
        from ..models.viber_subscription import ViberSubscription  # noqa: PLC0415
        from ..models.whatsapp_subscription import WhatsappSubscription  # noqa: PLC0415

        fname = self.fname

        lname = self.lname

        email = self.email

        phones = self.phones

        bdate = self.bdate

        sex = self.sex

        regdate = self.regdate

        regip = self.regip

        ip = self.ip

        tz = self.tz

        postal_code = self.postal_code

        os = self.os

        browser = self.browser

        vendor = self.vendor

        subscriptions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.subscriptions, Unset):
            subscriptions = []
            for subscriptions_item_data in self.subscriptions:
                subscriptions_item: dict[str, Any]
                if isinstance(subscriptions_item_data, EmailSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, SmsSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, PushSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, TelegramBotSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, WhatsappSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, ViberSubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                elif isinstance(subscriptions_item_data, NotifySubscription):
                    subscriptions_item = subscriptions_item_data.to_dict()
                else:
                    subscriptions_item = subscriptions_item_data.to_dict()

                subscriptions.append(subscriptions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if fname is not UNSET:
            field_dict["_fname"] = fname
        if lname is not UNSET:
            field_dict["_lname"] = lname
        if email is not UNSET:
            field_dict["email"] = email
        if phones is not UNSET:
            field_dict["phones"] = phones
        if bdate is not UNSET:
            field_dict["_bdate"] = bdate
        if sex is not UNSET:
            field_dict["_sex"] = sex
        if regdate is not UNSET:
            field_dict["_regdate"] = regdate
        if regip is not UNSET:
            field_dict["_regip"] = regip
        if ip is not UNSET:
            field_dict["_ip"] = ip
        if tz is not UNSET:
            field_dict["_tz"] = tz
        if postal_code is not UNSET:
            field_dict["_postal_code"] = postal_code
        if os is not UNSET:
            field_dict["_os"] = os
        if browser is not UNSET:
            field_dict["_browser"] = browser
        if vendor is not UNSET:
            field_dict["_vendor"] = vendor
        if subscriptions is not UNSET:
            field_dict["subscriptions"] = subscriptions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.email_subscription import EmailSubscription  # noqa: PLC0415
        from ..models.notify_subscription import NotifySubscription  # noqa: PLC0415
        from ..models.other_channel_subscription import OtherChannelSubscription  # noqa: PLC0415
        from ..models.push_subscription import PushSubscription  # noqa: PLC0415
        from ..models.sms_subscription import SmsSubscription  # noqa: PLC0415
        from ..models.telegram_bot_subscription import TelegramBotSubscription  # noqa: PLC0415
        from ..models.viber_subscription import ViberSubscription  # noqa: PLC0415
        from ..models.whatsapp_subscription import WhatsappSubscription  # noqa: PLC0415

        d = dict(src_dict)
        fname = d.pop("_fname", UNSET)

        lname = d.pop("_lname", UNSET)

        email = d.pop("email", UNSET)

        phones = d.pop("phones", UNSET)

        bdate = d.pop("_bdate", UNSET)

        sex = d.pop("_sex", UNSET)

        regdate = d.pop("_regdate", UNSET)

        regip = d.pop("_regip", UNSET)

        ip = d.pop("_ip", UNSET)

        tz = d.pop("_tz", UNSET)

        postal_code = d.pop("_postal_code", UNSET)

        os = d.pop("_os", UNSET)

        browser = d.pop("_browser", UNSET)

        vendor = d.pop("_vendor", UNSET)

        _subscriptions = d.pop("subscriptions", UNSET)
        subscriptions: (
            list[
                EmailSubscription
                | NotifySubscription
                | OtherChannelSubscription
                | PushSubscription
                | SmsSubscription
                | TelegramBotSubscription
                | ViberSubscription
                | WhatsappSubscription
            ]
            | Unset
        ) = UNSET
        if _subscriptions is not UNSET:
            subscriptions = []
            for subscriptions_item_data in _subscriptions:

                def _parse_subscriptions_item(
                    data: object,
                ) -> (
                    EmailSubscription
                    | NotifySubscription
                    | OtherChannelSubscription
                    | PushSubscription
                    | SmsSubscription
                    | TelegramBotSubscription
                    | ViberSubscription
                    | WhatsappSubscription
                ):
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_0 = EmailSubscription.from_dict(data)

                        return componentsschemas_subscription_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_1 = SmsSubscription.from_dict(data)

                        return componentsschemas_subscription_type_1
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_2 = PushSubscription.from_dict(data)

                        return componentsschemas_subscription_type_2
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_3 = TelegramBotSubscription.from_dict(data)

                        return componentsschemas_subscription_type_3
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_4 = WhatsappSubscription.from_dict(data)

                        return componentsschemas_subscription_type_4
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_5 = ViberSubscription.from_dict(data)

                        return componentsschemas_subscription_type_5
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_subscription_type_6 = NotifySubscription.from_dict(data)

                        return componentsschemas_subscription_type_6
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_subscription_type_7 = OtherChannelSubscription.from_dict(data)

                    return componentsschemas_subscription_type_7

                subscriptions_item = _parse_subscriptions_item(subscriptions_item_data)

                subscriptions.append(subscriptions_item)

        profile_data = cls(
            fname=fname,
            lname=lname,
            email=email,
            phones=phones,
            bdate=bdate,
            sex=sex,
            regdate=regdate,
            regip=regip,
            ip=ip,
            tz=tz,
            postal_code=postal_code,
            os=os,
            browser=browser,
            vendor=vendor,
            subscriptions=subscriptions,
        )

        profile_data.additional_properties = d
        return profile_data

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
