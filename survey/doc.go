// Package survey will hold questionnaires (满意度测评, 问卷): question types, answer
// validation and aggregation into rates and distributions, as RULES.md describes. Like
// ballot, it imports no SQL or HTTP package.
package survey
