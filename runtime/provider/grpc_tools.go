package provider

import (
	pb "github.com/parleyhq/parley/runtime/provider/proto/v1"
)

// The conversions below carry the tool fields of the chat contract (added
// to proto v1 after its first release). A plugin built before them never
// sets or reads these fields: proto3 drops unknown fields on both sides, so
// old plugins and new hosts (and the reverse) keep talking.

func messagesToProto(in []Message) []*pb.ChatMessage {
	out := make([]*pb.ChatMessage, len(in))
	for i, m := range in {
		out[i] = &pb.ChatMessage{Role: string(m.Role), Content: m.Content, ToolCalls: toolCallsToProto(m.ToolCalls), ToolCallId: m.ToolCallID}
	}
	return out
}

func messagesFromProto(in []*pb.ChatMessage) []Message {
	out := make([]Message, len(in))
	for i, m := range in {
		out[i] = Message{Role: Role(m.GetRole()), Content: m.GetContent(), ToolCalls: toolCallsFromProto(m.GetToolCalls()), ToolCallID: m.GetToolCallId()}
	}
	return out
}

func toolsToProto(in []Tool) []*pb.Tool {
	if len(in) == 0 {
		return nil
	}
	out := make([]*pb.Tool, len(in))
	for i, t := range in {
		out[i] = &pb.Tool{Name: t.Name, Description: t.Description, ParametersJson: t.Parameters}
	}
	return out
}

func toolsFromProto(in []*pb.Tool) []Tool {
	if len(in) == 0 {
		return nil
	}
	out := make([]Tool, len(in))
	for i, t := range in {
		out[i] = Tool{Name: t.GetName(), Description: t.GetDescription()}
		if p := t.GetParametersJson(); len(p) > 0 {
			out[i].Parameters = p
		}
	}
	return out
}

func toolCallsToProto(in []ToolCall) []*pb.ToolCall {
	if len(in) == 0 {
		return nil
	}
	out := make([]*pb.ToolCall, len(in))
	for i, c := range in {
		out[i] = &pb.ToolCall{Id: c.ID, Name: c.Name, Arguments: c.Arguments}
	}
	return out
}

func toolCallsFromProto(in []*pb.ToolCall) []ToolCall {
	if len(in) == 0 {
		return nil
	}
	out := make([]ToolCall, len(in))
	for i, c := range in {
		out[i] = ToolCall{ID: c.GetId(), Name: c.GetName(), Arguments: c.GetArguments()}
	}
	return out
}
