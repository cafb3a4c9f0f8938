"""Microsoft Teams on the Bot Framework (botbuilder). Everything botbuilder-specific lives in this package."""
