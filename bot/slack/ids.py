"""Every action_id, callback_id and input block_id the app uses, in one place."""

COMMAND = "/voice"

# Buttons
GET_STARTED = "get_started"
CHALLENGE_SWAP = "challenge_swap"
CHALLENGE_EASIER = "challenge_easier"
CHALLENGE_HARDER = "challenge_harder"
OFFER_ACCEPT = "offer_accept"
OFFER_STAY = "offer_stay"
OPEN_LOG = "open_log"
OPEN_SETTINGS = "open_settings"
SEND_CHART = "send_chart"

# Modals (callback ids)
ONBOARDING_VIEW = "onboarding"
LOG_VIEW = "log_attempt"
SETTINGS_VIEW = "settings"

# Inputs (block ids; each block's element uses the same id as its action_id)
GOAL = "goal"
PLACEMENT = "placement"
CONFIDENCE = "confidence"
SHARE_WINS = "share_wins"
SHARE_CHANNEL = "share_channel"
MEETING_NAME = "meeting_name"
TRIED = "tried"
OUTCOME = "outcome"
FELT = "felt"
CONFIDENCE_BEFORE = "confidence_before"
CONFIDENCE_AFTER = "confidence_after"
REFLECTION = "reflection"
PRE_MINUTES = "pre_minutes"
POST_MINUTES = "post_minutes"
WORK_START = "work_start"
WORK_END = "work_end"

# Surfaces that carry where a click came from (in a button's value).
FROM_HOME = "home"
FROM_MESSAGE = "message"

# Practice meetings
MEETING_ADD = "meeting_add"
MEETING_EDIT = "meeting_edit"
MEETING_REMOVE = "meeting_remove"
MEETING_VIEW = "meeting"
WEEKDAYS = "weekdays"
ON_DATE = "on_date"
START_TIME = "start_time"
DURATION = "duration"
MEETING_TZ = "meeting_tz"

# Check-ins (their values carry the check-in id, checked against the clicking user)
CHECKIN_CONFIDENCE = "checkin_confidence"
CHECKIN_SWAP = "checkin_swap"
CHECKIN_SKIP = "checkin_skip"
CHECKIN_OUTCOME = "checkin_outcome"
CHECKIN_DETAILS = "checkin_details"
CHECKIN_DETAILS_VIEW = "checkin_details"

# Celebrations (values carry the celebration id, checked against the clicking user)
SHARE_WIN = "share_win"
SHARE_EDIT = "share_edit"
SHARE_DECLINE = "share_decline"
SHARE_RETRY = "share_retry"
CHEER = "cheer"
SHARE_WORDING_VIEW = "share_wording"
WORDING = "wording"

# Buddy (values carry the buddy row id, checked against the clicking user)
BUDDY_ACCEPT = "buddy_accept"
BUDDY_DECLINE = "buddy_decline"
BUDDY_STEP_DOWN = "buddy_step_down"
BUDDY_ENCOURAGE = "buddy_encourage"
ENCOURAGE_VIEW = "encourage"
ENCOURAGEMENT = "encouragement"

# Leaving
FORGET_CONFIRM = "forget_confirm"

# The self-efficacy check (values carry the check's id, checked against the clicking user)
EFFICACY_OPEN = "efficacy_open"
EFFICACY_SKIP = "efficacy_skip"
EFFICACY_VIEW = "efficacy"
EFFICACY_ITEM = "efficacy_item"  # the inputs: efficacy_item_1 … efficacy_item_6
LOOKING_BACK = "looking_back"

# Her calendar (/voice calendar): the link step, the wait, the meeting list
CALENDAR_LINK_VIEW = "calendar_link"
CALENDAR_LOADING_VIEW = "calendar_loading"
CALENDAR_PICK_VIEW = "calendar_pick"
CALENDAR_URL = "calendar_url"
CALENDAR_SERIES = "calendar_series"  # the list's input blocks: calendar_series_0, _1, …
CALENDAR_OTHER_LINK = "calendar_other_link"

# If-then plans (values carry the check-in id, checked against the clicking user)
PLAN_ACCEPT = "plan_accept"
PLAN_WRITE = "plan_write"
PLAN_FIRED = "plan_fired"  # plan_fired_yes, _partly, _no
PLAN_VIEW = "plan"
PLAN_TEXT = "plan_text"

# Coping stories: a win shared anonymously with colleagues at her step
STORY_SHARE = "story_share"
STORY_SHARE_VIEW = "story_share_view"
STORY_PHRASE = "story_phrase"
STORIES_ON = "stories_on"

# Settle your nerves: the button in the pre-meeting DM, its modal, the setting
NERVES_OPEN = "nerves_open"
NERVES_VIEW = "nerves"
NERVES_HELPED = "nerves_helped"
NERVES_ON = "nerves_on"
